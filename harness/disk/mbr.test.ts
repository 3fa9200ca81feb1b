import test from 'ava';
import { writeFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { readPartitions } from './mbr.ts';
import { UsageError } from '../errors.ts';
import { testFolder } from '../testdata/test-folder.ts';

test('reads the fixture layout: primaries, the extended partition and three logical partitions', async (t) => {
  const image = join(await testFolder(t, 'mbr'), 'disk.img');
  writeFileSync(image, '');
  truncateSync(image, 161 * 1048576);
  const layout = [
    'label: dos', 'label-id: 0x5eedf1a5', 'unit: sectors',
    'start=2048, size=32768, type=ef', 'start=34816, size=8192, type=83, bootable', 'start=43008, size=284672, type=5',
    'start=45056, size=131072, type=83', 'start=178176, size=131072, type=83', 'start=311296, size=16384, type=83',
  ].join('\n');
  await execa('sfdisk', ['--quiet', image], { input: layout });
  const parts = await readPartitions(image);
  t.deepEqual(
    parts.map((p) => [p.number, p.type, p.startByte / 1048576, p.bytes / 1048576, p.bootable]),
    [[1, 0xef, 1, 16, false], [2, 0x83, 17, 4, true], [3, 0x05, 21, 139, false], [5, 0x83, 22, 64, false], [6, 0x83, 87, 64, false], [7, 0x83, 152, 8, false]],
  );
});

test('a file without an MBR is refused with the reason', async (t) => {
  const file = join(await testFolder(t, 'mbr'), 'junk.img');
  writeFileSync(file, Buffer.alloc(4096, 1));
  await t.throwsAsync(readPartitions(file), { instanceOf: UsageError, message: /junk\.img: no MBR/ });
});
