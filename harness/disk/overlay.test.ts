import test from 'ava';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { createOverlay, overlayExtents, rebaseOverlay, sha256OfDiskRange } from './overlay.ts';
import { testFolder } from '../testdata/test-folder.ts';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

test('a range of the disk an overlay presents is hashed with the overlay\'s writes over its base', async (t) => {
  const dir = await testFolder(t, 'overlay');
  const base = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < base.length; i++) base[i] = i % 253;
  writeFileSync(join(dir, 'base.raw'), base);
  await createOverlay(join(dir, 'base.raw'), join(dir, 'disk.qcow2'));
  await execa('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x5a 256k 64k', join(dir, 'disk.qcow2')]);

  const expected = Buffer.from(base.subarray(128 * 1024, 512 * 1024));
  expected.fill(0x5a, 128 * 1024, 192 * 1024);
  const scratch = join(dir, 'scratch.raw');
  t.is(await sha256OfDiskRange(join(dir, 'disk.qcow2'), 128 * 1024, 384 * 1024, scratch), sha256(expected));
  t.false(existsSync(scratch), 'the scratch copy is removed');
  t.is(await sha256OfDiskRange(join(dir, 'base.raw'), 128 * 1024, 384 * 1024, scratch), sha256(base.subarray(128 * 1024, 512 * 1024)));
  t.deepEqual(readdirSync(dir).sort(), ['base.raw', 'disk.qcow2']);
});

test('an overlay rebased onto the base image keeps what the overlay between them held, and needs it no more', async (t) => {
  const dir = await testFolder(t, 'overlay');
  const [base, middle, top] = ['base.img', 'middle.qcow2', 'top.qcow2'].map((name) => join(dir, name)) as [string, string, string];
  await writeFile(base, Buffer.alloc(1 << 20, 0x11));
  await createOverlay(base, middle);
  await execa('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x22 0 64k', middle]);
  await createOverlay(middle, top);
  await rebaseOverlay(top, base);
  await rm(middle);
  const info = JSON.parse((await execa('qemu-img', ['info', '--output=json', top])).stdout) as { 'backing-filename'?: string };
  t.is(info['backing-filename'], base);
  const read = (pattern: string, offset: string) => execa('qemu-io', ['-r', '-f', 'qcow2', '-c', `read -P ${pattern} ${offset} 64k`, top], { reject: false });
  t.notRegex((await read('0x22', '0')).stdout, /Pattern verification failed/, 'the middle overlay\'s write is in the rebased one');
  t.notRegex((await read('0x11', '64k')).stdout, /Pattern verification failed/, 'the rest reads from the base image');
});

test('an overlay read with copy-on-read holds every cluster the reader read or wrote, and nothing else', async (t) => {
  const dir = await testFolder(t, 'overlay');
  const base = join(dir, 'base.img');
  const overlay = join(dir, 'disk.qcow2');
  await writeFile(base, Buffer.alloc(1 << 20, 0x11));
  await createOverlay(base, overlay, { clusterBytes: 4096 });
  t.deepEqual(await overlayExtents(overlay), [], 'a new overlay holds nothing');
  // A read of 512 bytes inside the second cluster, one across the 7th and 8th, and a write into the 100th.
  await execa('qemu-io', ['-C', '-f', 'qcow2', '-c', 'read 4608 512', '-c', 'read 28000 1000', '-c', 'write -P 0x22 409600 512', overlay]);
  t.deepEqual(await overlayExtents(overlay), [
    { start: 4096, bytes: 4096 },
    { start: 24576, bytes: 8192 },
    { start: 409600, bytes: 4096 },
  ]);
});
