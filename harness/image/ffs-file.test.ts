import test, { type ExecutionContext } from 'ava';
import { writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readFfsFile } from './ffs-file.ts';
import { kernelArchitecture } from './kernel-arch.ts';
import { testFolder } from '../testdata/test-folder.ts';

// Made by Debian's makefs: `makefs -t ffs -o version=N -s 512k` (8 KiB blocks, 1 KiB fragments) of a tree holding
// bsd (an x86-64 ELF header in 8 KiB), etc/boot.conf ("set device hd0e") and etc/big (20000 bytes, byte i = 7i mod 251).
const image = async (t: ExecutionContext, version: 1 | 2) => {
  const bytes = gunzipSync(readFileSync(new URL(`./testdata/ffs${version}-makefs-kernel.img.gz`, import.meta.url)));
  const path = join(await testFolder(t, 'ffs'), `ffs${version}.img`);
  await writeFile(path, bytes);
  return { path, bytes: bytes.length };
};

for (const version of [1, 2] as const) {
  test(`FFS${version}: files are found by path and read from their blocks`, async (t) => {
    const fs = await image(t, version);
    t.is((await readFfsFile(fs.path, 0, fs.bytes, '/etc/boot.conf'))?.toString(), 'set device hd0e\n');
    const big = await readFfsFile(fs.path, 0, fs.bytes, '/etc/big');
    t.is(big?.length, 20000, 'a file of three 8 KiB blocks is read whole');
    t.true(big?.every((b, i) => b === (i * 7) % 251), 'every block of it holds its own bytes');
    t.is((await readFfsFile(fs.path, 0, fs.bytes, '/etc/big', 100))?.length, 100, 'maxBytes reads only the head');
    const kernel = await readFfsFile(fs.path, 0, fs.bytes, '/bsd', 4096);
    t.deepEqual(kernel && kernelArchitecture(kernel), { arch: 'amd64', kind: 'ELF 64-bit LSB' });
  });

  test(`FFS${version}: a missing file, a directory or a path through a file is not read`, async (t) => {
    const fs = await image(t, version);
    t.is(await readFfsFile(fs.path, 0, fs.bytes, '/etc/nope'), undefined);
    t.is(await readFfsFile(fs.path, 0, fs.bytes, '/etc'), undefined);
    t.is(await readFfsFile(fs.path, 0, fs.bytes, '/bsd/x'), undefined);
  });
}

test('what is not FFS is not read', async (t) => {
  const dir = await testFolder(t, 'ffs');
  const path = join(dir, 'zeros.img');
  await writeFile(path, Buffer.alloc(131072));
  t.is(await readFfsFile(path, 0, 131072, '/bsd'), undefined);
});
