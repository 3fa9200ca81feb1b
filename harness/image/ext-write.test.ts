import test, { type ExecutionContext } from 'ava';
import { chmod, copyFile, mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { readExtFile } from './ext-file.ts';
import { writeExtFile } from './ext-write.ts';
import { refreshChecksumTrailer } from './checksum-trailer.ts';
import { sha256File } from '../disk/sha256.ts';
import { testFolder } from '../testdata/test-folder.ts';

const MiB = 1048576;

/** A 1 MiB gap, then a 4 MiB ext4 filesystem holding /resflash/upgrade.sh (0755) and /etc/motd. */
async function smallImage(t: ExecutionContext): Promise<{ dir: string; image: string }> {
  const dir = await testFolder(t, 'ext-write');
  const staging = join(dir, 'staging');
  await mkdir(join(staging, 'resflash'), { recursive: true });
  await mkdir(join(staging, 'etc'));
  await writeFile(join(staging, 'resflash', 'upgrade.sh'), '#!/bin/sh\necho original\n');
  await chmod(join(staging, 'resflash', 'upgrade.sh'), 0o755);
  await writeFile(join(staging, 'etc', 'motd'), 'hello\n');
  const fs = join(dir, 'root.fs');
  await execa('mke2fs', ['-q', '-F', '-t', 'ext4', '-d', staging, fs, '4M']);
  const image = join(dir, 'disk.img');
  await writeFile(image, Buffer.concat([Buffer.alloc(MiB), await readFile(fs)]));
  return { dir, image };
}

const inodeOf = async (image: string, path: string) => (await execa('debugfs', ['-R', `stat ${path}`, `${image}?offset=${MiB}`])).stdout;

test('a file written into a copy of an image reads back changed, keeps its mode and owner, and the original stays as it was', async (t) => {
  const { dir, image } = await smallImage(t);
  const before = await sha256File(image);
  const copy = join(dir, 'copy.img');
  await copyFile(image, copy);
  await execa('debugfs', ['-w', '-R', 'sif /resflash/upgrade.sh uid 1234', `${copy}?offset=${MiB}`]);
  await writeExtFile(copy, MiB, '/resflash/upgrade.sh', '#!/bin/sh\necho mutated, and longer than the original line\n');

  t.is((await readExtFile(copy, MiB, '/resflash/upgrade.sh'))?.toString(), '#!/bin/sh\necho mutated, and longer than the original line\n');
  t.is((await readExtFile(copy, MiB, '/etc/motd'))?.toString(), 'hello\n', 'the other files are untouched');
  const inode = await inodeOf(copy, '/resflash/upgrade.sh');
  t.regex(inode, /Type: regular\s+Mode:\s+0755/);
  t.regex(inode, /User:\s+1234\s+Group:\s+0/);
  const fsck = await execa('e2fsck', ['-fn', `${copy}?offset=${MiB}`], { reject: false });
  t.is(fsck.exitCode, 0, `e2fsck finds the filesystem clean: ${fsck.stdout}`);

  t.is(await sha256File(image), before, 'the image copied from is not written');
  t.is((await readExtFile(image, MiB, '/resflash/upgrade.sh'))?.toString(), '#!/bin/sh\necho original\n');
});

test('writing a file the filesystem does not hold, or a directory, fails naming it', async (t) => {
  const { image } = await smallImage(t);
  await t.throwsAsync(writeExtFile(image, MiB, '/resflash/nothere.sh', 'x'), { message: /debugfs could not read \/resflash\/nothere\.sh/ });
  await t.throwsAsync(writeExtFile(image, MiB, '/etc', 'x'), { message: /\/etc is not a regular file/ });
});

test('the checksum trailer is rewritten for the changed contents, and a filesystem without one is left alone', async (t) => {
  const dir = await testFolder(t, 'trailer');
  const fs = join(dir, 'root-v2.fs');
  const data = Buffer.alloc(3 * 4096, 7);
  const trailer = Buffer.alloc(4096);
  trailer.write(`RFSUM1 ${'0'.repeat(64)} 2\n`);
  await writeFile(fs, Buffer.concat([data, trailer]));
  t.true(await refreshChecksumTrailer(fs));
  const sum = await sha256File(fs, { start: 0, bytes: data.length });
  const written = (await readFile(fs)).subarray(data.length).toString('latin1');
  t.true(written.startsWith(`RFSUM1 ${sum} 2\n\0`), written.slice(0, 80));

  const plain = join(dir, 'plain.fs');
  await writeFile(plain, Buffer.alloc(4 * 4096, 1));
  const before = await sha256File(plain);
  t.false(await refreshChecksumTrailer(plain));
  t.is(await sha256File(plain), before);

  // A partition inside a disk: only its own bytes are hashed.
  const disk = join(dir, 'disk.img');
  await writeFile(disk, Buffer.concat([Buffer.alloc(4096, 9), data, trailer, Buffer.alloc(4096, 9)]));
  t.true(await refreshChecksumTrailer(disk, 4096, data.length + 4096));
  const handle = await open(disk, 'r');
  const block = Buffer.alloc(4096);
  await handle.read(block, 0, 4096, 4096 + data.length);
  await handle.close();
  t.true(block.toString('latin1').startsWith(`RFSUM1 ${sum} 2\n`));
});
