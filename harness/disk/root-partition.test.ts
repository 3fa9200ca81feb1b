import test from 'ava';
import { open, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { makeDisklabel } from './disklabel.ts';
import { findPartition } from './root-partition.ts';
import { testFolder } from '../testdata/test-folder.ts';

test('a partition is found by MBR number or by disklabel letter', async (t) => {
  const image = join(await testFolder(t, 'part'), 'disk.img');
  await writeFile(image, '');
  await truncate(image, 8 * 1048576);
  await execa('sfdisk', ['--quiet', image], { input: 'label: dos\nunit: sectors\nstart=64, size=2048, type=83\nstart=4096, size=8192, type=a6\n' });
  const file = await open(image, 'r+');
  await file.write(makeDisklabel({ c: [0, 16384, 0], d: [4160, 2048, 7], e: [6208, 2048, 7] }), 0, 512, 4096 * 512 + 512);
  await file.close();
  t.deepEqual(await findPartition(image, '1'), { startByte: 64 * 512, bytes: 2048 * 512 });
  t.deepEqual(await findPartition(image, 'e'), { startByte: 6208 * 512, bytes: 2048 * 512 });
  t.is(await findPartition(image, '3'), undefined, 'no such MBR partition');
  t.is(await findPartition(image, 'f'), undefined, 'no such disklabel partition');
});
