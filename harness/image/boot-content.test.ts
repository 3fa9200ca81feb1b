import test from 'ava';
import { copyFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import { testFolder } from '../testdata/test-folder.ts';
import { bootContent, bootLayout, namedDevice } from './boot-content.ts';
import { writeExtFile } from './ext-write.ts';
import { makeSmallDisk } from './testdata/small-disk.ts';

test('boot.conf names a root by the profile line; its last such line counts, an unknown device names none', (t) => {
  const roots = ['hd0d', 'hd0e'];
  t.is(namedDevice('set device=hd0e\n', 'set device={device}', roots), 'hd0e');
  t.is(namedDevice('# comment\nset device=hd0d\nset device=hd0e\n', 'set device={device}', roots), 'hd0e');
  t.is(namedDevice('set device hd0e\n', 'set device {device}', roots), 'hd0e');
  t.is(namedDevice('set device=hd0x\n', 'set device={device}', roots), undefined);
  t.is(namedDevice('# only comments\n', 'set device={device}', roots), undefined);
});

test('each image gets its own boot.conf and key, though the layout is the same; an unnamed root is left out of the key', async (t) => {
  const dir = await testFolder(t, 'boot-content');
  const { image } = await makeSmallDisk(dir, { bootConf: 'set device=hd0d\n' });
  const layout = await bootLayout(image, { hd0d: '5', hd0e: '6' }, '/mbr/etc/boot.conf');
  const first = await bootContent(image, layout, 'set device={device}');
  t.is(first.named, 'hd0d');

  const flipped = join(dir, 'flipped.img');
  await copyFile(image, flipped);
  await writeExtFile(flipped, layout.bootConf!.partition.startByte, '/etc/boot.conf', 'set device=hd0e\n');
  const second = await bootContent(flipped, layout, 'set device={device}');
  t.is(second.bootConf?.toString(), 'set device=hd0e\n', 'the second image\'s boot.conf, not the first one\'s');
  t.is(second.named, 'hd0e');
  t.not(second.key, first.key);

  const otherRoot = join(dir, 'other-root.img');
  await copyFile(image, otherRoot);
  const rootE = layout.roots.get('hd0e')!;
  const file = await open(otherRoot, 'r+');
  await file.write(Buffer.alloc(4096, 0x5a), 0, 4096, rootE.startByte);
  await file.close();
  const third = await bootContent(otherRoot, layout, 'set device={device}');
  t.is(third.named, 'hd0d');
  t.is(third.key, first.key, 'root e, which boot.conf does not name, does not decide the boot');
});
