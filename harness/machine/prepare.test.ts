import test from 'ava';
import { join } from 'node:path';
import { execa } from 'execa';
import { prepareFiles } from './prepare.ts';
import { loadVmConfig } from '../config/vm-config.ts';
import { sha256File } from '../disk/sha256.ts';
import { makeSmallDisk } from '../image/testdata/small-disk.ts';
import { testFolder } from '../testdata/test-folder.ts';

test("the user's disk, raw or qcow2, is booted through an overlay: writes land there and the image keeps its sha256", async (t) => {
  const dir = await testFolder(t, 'prepare');
  const raw = (await makeSmallDisk(dir)).image;
  const qcow2 = join(dir, 'disk.qcow2');
  await execa('qemu-img', ['convert', '-O', 'qcow2', raw, qcow2]);
  for (const image of [raw, qcow2]) {
    const before = await sha256File(image);
    const files = await prepareFiles({ config: loadVmConfig('amd64-bios'), image });
    t.teardown(() => files.workDir.cleanup());
    t.is(files.disk.format, 'qcow2');
    t.not(files.disk.path, image);
    // What a guest does to its boot disk: overwrite the partition table.
    await execa('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0xaa 0 64k', files.disk.path]);
    const read = await execa('qemu-io', ['-f', 'qcow2', '-c', 'read -P 0xaa 0 64k', files.disk.path]);
    t.notRegex(read.stdout, /Pattern verification failed/, 'the write reached the overlay');
    t.is(await sha256File(image), before, `${image} is unchanged`);
  }
});
