import test from 'ava';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { makeDisklabel, readDisklabel } from './disklabel.ts';
import { testFolder } from '../testdata/test-folder.ts';

test('reads the partitions of an OpenBSD disklabel at sector 1 of its MBR partition, offsets absolute', async (t) => {
  const image = join(await testFolder(t, 'label'), 'disk.img');
  const file = await open(image, 'w');
  await file.truncate(4 * 1048576);
  await file.write(makeDisklabel({ a: [128, 1024, 7], c: [0, 8192, 0], d: [2048, 2048, 7] }), 0, 512, 64 * 512 + 512);
  await file.close();
  t.deepEqual(await readDisklabel(image, 64 * 512), [
    { letter: 'a', startByte: 65536, bytes: 524288, fstype: 7 },
    { letter: 'c', startByte: 0, bytes: 4194304, fstype: 0 },
    { letter: 'd', startByte: 1048576, bytes: 1048576, fstype: 7 },
  ]);
  t.is(await readDisklabel(image, 0), undefined, 'no label where there is none');
});
