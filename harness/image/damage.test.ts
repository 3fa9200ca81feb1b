import test, { type ExecutionContext } from 'ava';
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { execa } from 'execa';
import { loadProfile } from '../config/profile.ts';
import { findPartition } from '../disk/root-partition.ts';
import { sha256File } from '../disk/sha256.ts';
import { makeDamagedImage } from './damage.ts';
import { readExtFile } from './ext-file.ts';
import { readFfsFile } from './ffs-file.ts';
import { identifyFilesystem } from './filesystem.ts';
import { makeSmallDisk } from './testdata/small-disk.ts';
import { testFolder } from '../testdata/test-folder.ts';

const profile = loadProfile('fixture');

/** The small resflash-layout disk (fixture profile: roots 5 and 6, /cfg 7), boot.conf naming hd0d. */
async function disk(t: ExecutionContext) {
  const dir = await testFolder(t, 'damage');
  const { image } = await makeSmallDisk(dir, { bootConf: 'set device=hd0d\n' });
  return { dir, image, sha256: await sha256File(image) };
}

const kindAt = async (image: string, partition: string) => {
  const p = (await findPartition(image, partition))!;
  return (await identifyFilesystem(image, p.startByte, p.bytes))?.kind;
};

test('root-unreadable takes the superblock of the root boot.conf names, in a copy: the image and the other partitions stay as they were', async (t) => {
  const { dir, image, sha256 } = await disk(t);
  const damaged = await makeDamagedImage(image, 'root-unreadable', profile, join(dir, 'damaged.img'));
  t.is(await kindAt(damaged.path, '5'), undefined, 'root d (boot.conf: set device=hd0d) has no filesystem left');
  t.is(await kindAt(damaged.path, '7'), 'ext4', '/cfg is untouched');
  t.is(await kindAt(damaged.path, '1'), 'ext4', '/mbr is untouched');
  t.is(await sha256File(image), sha256, 'the image copied from is not written');
  t.regex(damaged.done, /^root-unreadable: zeroed the first 128 KiB of root partition 5 /);
});

test('cfg-unmountable takes /cfg\'s superblock and leaves the roots', async (t) => {
  const { dir, image } = await disk(t);
  const damaged = await makeDamagedImage(image, 'cfg-unmountable', profile, join(dir, 'damaged.img'));
  t.is(await kindAt(damaged.path, '7'), undefined);
  t.is(await kindAt(damaged.path, '5'), 'ext4');
  t.regex(damaged.done, /partition 7 /);
});

test('among two spare filesystems, the cfg damages take the one labelled cfg, and refuse to guess between two so labelled', async (t) => {
  const dir = await testFolder(t, 'damage');
  const { image } = await makeSmallDisk(dir, { bootConf: 'set device=hd0d\n', extraLabel: 'RFOFW' });
  t.is(await kindAt(image, '8'), 'ext2', 'the extra partition holds a filesystem');
  const damaged = await makeDamagedImage(image, 'cfg-unmountable', profile, join(dir, 'damaged.img'));
  t.is(await kindAt(damaged.path, '7'), undefined, '/cfg (RFCFG) is the one damaged');
  t.is(await kindAt(damaged.path, '8'), 'ext2', 'the partition labelled RFOFW is left');

  const twice = await makeSmallDisk(join(dir, 'twice'), { extraLabel: 'cfg-old' });
  const error = await t.throwsAsync(makeDamagedImage(twice.image, 'cfg-unmountable', profile, join(dir, 'twice.img')));
  t.regex(error?.message ?? '', /cannot tell \/cfg.* has 2 \(7 "RFCFG", 8 "cfg-old"\)/);
});

test('cfg-inconsistent leaves /cfg a filesystem that a read-only e2fsck fails on its free-block count', async (t) => {
  const { dir, image } = await disk(t);
  const cfg = (await findPartition(image, '7'))!;
  const check = (path: string) => execa('e2fsck', ['-fn', `${path}?offset=${cfg.startByte}`], { reject: false });
  t.is((await check(image)).exitCode, 0, 'the fresh /cfg is clean');
  const damaged = await makeDamagedImage(image, 'cfg-inconsistent', profile, join(dir, 'damaged.img'));
  t.is(await kindAt(damaged.path, '7'), 'ext4', 'it is still an ext4 filesystem');
  const after = await check(damaged.path);
  t.is(after.exitCode, 4, `e2fsck -fn finds errors it leaves uncorrected:\n${after.stdout}`);
  t.regex(after.stdout, /Free blocks count wrong for group #0/);
  t.notRegex(after.stdout, /checksum/i, 'the group descriptor\'s checksum still holds: only the count is wrong');
});

test('init-unreadable makes the file /sbin/init links to unreadable on an FFS root, and no other', async (t) => {
  const { dir, image } = await disk(t);
  // An FFS1 (makefs) with bin/busybox (20000 bytes, byte i = 7i mod 251), sbin/init -> ../bin/busybox, etc/motd.
  const ffs = gunzipSync(readFileSync(new URL('./testdata/ffs1-makefs-init.img.gz', import.meta.url)));
  const root = (await findPartition(image, '5'))!;
  const file = await open(image, 'r+');
  await file.write(ffs, 0, ffs.length, root.startByte);
  await file.close();
  const busybox = await readFfsFile(image, root.startByte, root.bytes, '/bin/busybox');
  t.is(busybox?.length, 20000, 'the file reads before');

  const damaged = await makeDamagedImage(image, 'init-unreadable', profile, join(dir, 'damaged.img'));
  t.is(await readFfsFile(damaged.path, root.startByte, root.bytes, '/bin/busybox'), undefined, 'its blocks lie past the partition');
  t.is((await readFfsFile(damaged.path, root.startByte, root.bytes, '/etc/motd'))?.toString(), 'hello\n', 'other files still read');
  t.regex(damaged.done, /direct block addresses of \/sbin\/init/);
});

test('init-not-executable zeroes the first block of /sbin/init on an ext root, and of the file it links to on an FFS root', async (t) => {
  const dir = await testFolder(t, 'damage');
  const program = `\x7fELF${'x'.repeat(9000)}`;
  const { image } = await makeSmallDisk(dir, { bootConf: 'set device=hd0d\n', rootFiles: { 'sbin/init': program, 'etc/motd': 'hello\n' } });
  const root = (await findPartition(image, '5'))!;
  const ext = await makeDamagedImage(image, 'init-not-executable', profile, join(dir, 'ext.img'));
  const init = await readExtFile(ext.path, root.startByte, '/sbin/init');
  const block = Number(/zeroed the first (\d+) bytes of \/sbin\/init /.exec(ext.done)?.[1]);
  t.is(block, 1024, `the block of this small ext4 is 1 KiB: ${ext.done}`);
  t.is(init?.length, program.length, 'the file keeps its size');
  t.true(init?.subarray(0, block).every((b) => b === 0), 'its first block is zeros: no ELF header');
  t.is(init?.subarray(block).toString(), program.slice(block), 'the rest is as it was');
  t.is((await readExtFile(ext.path, root.startByte, '/etc/motd'))?.toString(), 'hello\n');

  const ffs = gunzipSync(readFileSync(new URL('./testdata/ffs1-makefs-init.img.gz', import.meta.url)));
  const file = await open(image, 'r+');
  await file.write(ffs, 0, ffs.length, root.startByte);
  await file.close();
  const damaged = await makeDamagedImage(image, 'init-not-executable', profile, join(dir, 'ffs.img'));
  const busybox = await readFfsFile(damaged.path, root.startByte, root.bytes, '/bin/busybox');
  t.true(busybox?.subarray(0, 8192).every((b) => b === 0), 'the first 8 KiB block of bin/busybox is zeros');
  t.true(busybox?.subarray(8192).every((b, i) => b === ((i + 8192) * 7) % 251), 'its other blocks are as they were');
  t.regex(damaged.done, /the file \/sbin\/init resolves to/);
});

test('a damage the image cannot take is refused saying why', async (t) => {
  const { dir, image } = await disk(t);
  await t.throwsAsync(makeDamagedImage(image, 'init-unreadable', profile, join(dir, 'damaged.img')), {
    message: 'init-unreadable needs an FFS root holding /sbin/init; partition 5 has none',
  });
  await t.throwsAsync(makeDamagedImage(image, 'cut-power' as never, profile, join(dir, 'damaged.img')), {
    message: /^unknown damage "cut-power": choose one of root-unreadable, /,
  });
});
