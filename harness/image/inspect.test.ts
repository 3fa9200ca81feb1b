import test from 'ava';
import { open, truncate, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { makeDisklabel } from '../disk/disklabel.ts';
import { join } from 'node:path';
import { inspectImage } from './inspect.ts';
import { identifyFilesystem } from './filesystem.ts';
import type { MbrDiskFindings } from './mbr-disk.ts';
import type { ImageFormat } from './format.ts';
import { sha256File } from '../disk/sha256.ts';
import { fakeElfKernel, makeSmallDisk } from './testdata/small-disk.ts';
import { UsageError } from '../errors.ts';
import { testFolder } from '../testdata/test-folder.ts';

test('inspect reads partitions, labels, boot.conf, the kernel architecture and checksums of an MBR disk', async (t) => {
  const disk = await makeSmallDisk(await testFolder(t, 'inspect'));
  const found = await inspectImage(disk.image);
  const f = found.findings as MbrDiskFindings;
  t.is(found.format, 'mbr-disk');
  t.deepEqual(
    f.partitions.map((p) => [p.number, p.type, p.startByte / 1048576, p.bytes / 1048576, p.filesystem?.label]),
    [[1, '0x83', 1, 2, 'RFMBR'], [2, '0x05', 3, 12, undefined], [5, '0x83', 4, 4, 'RFROOT'], [6, '0x83', 9, 4, undefined], [7, '0x83', 14, 1, 'RFCFG']],
  );
  t.like(f.bootConf, { partition: 1, device: 'hd0e' });
  t.like(f.architecture, { arch: 'amd64', from: 'partition 5: /boot/vmlinuz (Linux bzImage)' });
  t.is(f.partitions[2]!.sha256, await sha256File(disk.rootFs), 'the root partition hashes like the .fs written to it');
  t.is(found.sha256, await sha256File(disk.image));
  t.true(found.lines.some((l) => l.includes('active device hd0e')));
});

test('inspect tells an ELF kernel for another architecture', async (t) => {
  const disk = await makeSmallDisk(await testFolder(t, 'inspect'), { kernel: fakeElfKernel(21) });
  t.like((await inspectImage(disk.image)).findings as MbrDiskFindings, { architecture: { arch: 'ppc64el' } });
});

test('a missing, empty or unknown file gets an error naming the problem and the fix', async (t) => {
  const dir = await testFolder(t, 'inspect');
  await t.throwsAsync(inspectImage(join(dir, 'nope.img')), { instanceOf: UsageError, message: /nope\.img does not exist: check the path/ });
  await writeFile(join(dir, 'empty.img'), '');
  await t.throwsAsync(inspectImage(join(dir, 'empty.img')), { message: /empty\.img is empty \(0 bytes\): the copy or download did not finish/ });
  await writeFile(join(dir, 'text.img'), 'hello\n'.repeat(1000));
  await t.throwsAsync(inspectImage(join(dir, 'text.img')), { message: /not a format bootproof knows \(a packed ramdisk image: magic 0x1deb0075 .*; an MBR .*\): pass the whole disk image/ });
  const disk = await makeSmallDisk(dir);
  await t.throwsAsync(inspectImage(disk.rootFs), { message: /it is a bare ext2\/3\/4 filesystem, e\.g\. a \.fs upgrade file; pass it with --fs/ });
});

test('formats are chosen by content, in order: a format with a magic number plugs in before the MBR', async (t) => {
  const dir = await testFolder(t, 'inspect');
  const head = Buffer.alloc(4096);
  head.writeUInt32LE(0x1deb0075, 0);
  head.writeUInt16LE(0xaa55, 510);
  await writeFile(join(dir, 'packed.img'), head);
  const packed: ImageFormat<{ magic: string }> = {
    name: 'test-packed',
    signature: 'magic 0x1DEB0075 at byte 0',
    matches: (h) => h.readUInt32LE(0) === 0x1deb0075,
    inspect: async () => ({ magic: 'ok' }),
    describe: (f) => [`  magic ${f.magic}`],
  };
  const { mbrDiskFormat } = await import('./mbr-disk.ts');
  const found = await inspectImage(join(dir, 'packed.img'), [packed, mbrDiskFormat]);
  t.is(found.format, 'test-packed');
  t.deepEqual(found.findings, { magic: 'ok' });
  t.is(found.lines.at(-1), '  magic ok');
});

test('inspect lists the disklabel of an OpenBSD partition', async (t) => {
  const dir = await testFolder(t, 'inspect');
  const image = join(dir, 'openbsd.img');
  await writeFile(image, '');
  await truncate(image, 16 * 1048576);
  await execa('sfdisk', ['--quiet', image], { input: 'label: dos\nunit: sectors\nstart=64, size=32704, type=a6, bootable\n' });
  const file = await open(image, 'r+');
  await file.write(makeDisklabel({ a: [128, 4096, 7], c: [0, 32768, 0], d: [4224, 8192, 7] }), 0, 512, 64 * 512 + 512);
  await file.close();
  const found = await inspectImage(image);
  const p = (found.findings as MbrDiskFindings).partitions[0]!;
  t.is(p.typeName, 'OpenBSD');
  t.deepEqual(p.disklabel?.map((l) => [l.letter, l.startByte / 512, l.bytes / 512]), [['a', 128, 4096], ['c', 0, 32768], ['d', 4224, 8192]]);
  t.true(found.lines.some((l) => /^ {7}d {2}disklabel/.test(l)));
});

// Made by Debian's makefs (NetBSD's): `makefs -t ffs -o version=N,bsize=4096,fsize=512 -s 64k` of a tree holding
// etc/boot.conf, gzipped. makefs writes the FFS2 superblock at 8 KiB (fs_sblockloc 8192), not at newfs's 64 KiB.
const makefsImage = (version: 1 | 2) => gunzipSync(readFileSync(new URL(`./testdata/ffs${version}-makefs.img.gz`, import.meta.url)));

test('inspect identifies the FFS1 and FFS2 roots of a disklabel by their superblocks, with their sizes', async (t) => {
  const dir = await testFolder(t, 'inspect');
  const image = join(dir, 'openbsd-ffs.img');
  await writeFile(image, '');
  await truncate(image, 4 * 1048576);
  await execa('sfdisk', ['--quiet', image], { input: 'label: dos\nunit: sectors\nstart=64, size=8128, type=a6, bootable\n' });
  const file = await open(image, 'r+');
  await file.write(makeDisklabel({ c: [0, 8192, 0], d: [1024, 128, 7], e: [2048, 128, 7], f: [3072, 128, 7] }), 0, 512, 64 * 512 + 512);
  await file.write(makefsImage(1), 0, 65536, 1024 * 512);
  await file.write(makefsImage(2), 0, 65536, 2048 * 512);
  await file.close();
  const found = await inspectImage(image);
  const label = (found.findings as MbrDiskFindings).partitions[0]!.disklabel!;
  const byLetter = Object.fromEntries(label.map((l) => [l.letter, l.filesystem]));
  t.deepEqual(byLetter.d, { kind: 'ffs1', bytes: 65536 }, 'the FFS1 superblock at 8 KiB (magic 0x011954 at +1372) names FFS1 and its size');
  t.deepEqual(byLetter.e, { kind: 'ffs2', bytes: 65536 }, 'the FFS2 superblock (magic 0x19540119 at +1372, fs_sblockloc 8192) names FFS2');
  t.is(byLetter.f, undefined, 'a partition of zeros holds no filesystem');
  t.true(found.lines.some((l) => /^ {7}d {2}disklabel 4\.2BSD .* ffs1 \(no volume name\), 0\.06 MiB {2}[0-9a-f]{64}$/.test(l)), found.lines.join('\n'));
  t.true(found.lines.some((l) => /^ {7}f {2}disklabel 4\.2BSD .* none \(fstype 4\.2BSD\) {2}[0-9a-f]{64}$/.test(l)), found.lines.join('\n'));
  t.like((found.findings as MbrDiskFindings).bootConf, { partition: 1, letter: 'd', device: 'hd0d' }, 'boot.conf is read from an FFS partition too');
});

test('inspect finds the kernel on an FFS root of a disklabel: the root, its architecture and its sha256', async (t) => {
  const dir = await testFolder(t, 'inspect');
  const image = join(dir, 'openbsd-root.img');
  const root = gunzipSync(readFileSync(new URL('./testdata/ffs1-makefs-kernel.img.gz', import.meta.url)));
  await writeFile(image, '');
  await truncate(image, 4 * 1048576);
  await execa('sfdisk', ['--quiet', image], { input: 'label: dos\nunit: sectors\nstart=64, size=8128, type=a6, bootable\n' });
  const file = await open(image, 'r+');
  await file.write(makeDisklabel({ c: [0, 8192, 0], d: [1024, 1024, 7], e: [2048, 1024, 7] }), 0, 512, 64 * 512 + 512);
  await file.write(root, 0, root.length, 1024 * 512);
  await file.close();
  const found = await inspectImage(image);
  const f = found.findings as MbrDiskFindings;
  const d = f.partitions[0]!.disklabel!.find((l) => l.letter === 'd')!;
  t.like(d, { kernel: { path: '/bsd', arch: 'amd64' } });
  t.is(d.sha256, createHash('sha256').update(root).digest('hex'), 'a root of the disklabel hashes like the .fs written to it');
  t.is(f.partitions[0]!.disklabel!.find((l) => l.letter === 'e')!.kernel, undefined, 'an empty root holds no kernel');
  t.like(f.architecture, { arch: 'amd64', from: 'partition 1d: /bsd (ELF 64-bit LSB)' });
  t.like(f.bootConf, { letter: 'd', device: 'hd0e' });
  t.true(found.lines.includes('         root: kernel /bsd, ELF 64-bit LSB, amd64'), found.lines.join('\n'));
});

test('an FFS2 magic at 8 KiB whose superblock says it belongs at 64 KiB is not taken for a filesystem', async (t) => {
  const dir = await testFolder(t, 'inspect');
  const fs = makefsImage(2);
  fs.writeBigInt64LE(65536n, 8192 + 1000);
  const path = join(dir, 'moved.fs');
  await writeFile(path, fs);
  t.deepEqual(await identifyFilesystem(path, 0, fs.length), undefined);
});
