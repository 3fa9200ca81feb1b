import test, { type ExecutionContext } from 'ava';
import { open, truncate, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import { makeDisklabel } from '../disk/disklabel.ts';
import { join } from 'node:path';
import { checkInputs, BadInputs, type InputsToCheck } from './check-inputs.ts';
import { loadProfile } from '../config/profile.ts';
import { loadVmConfig, type VmConfig } from '../config/vm-config.ts';
import { makeBadInputs } from '../disk/bad-inputs.ts';
import { fakeElfKernel, makeSmallDisk, type SmallDisk } from './testdata/small-disk.ts';
import { testFolder } from '../testdata/test-folder.ts';

const profile = loadProfile('fixture');
const amd64 = loadVmConfig('amd64-bios');
const ppc64: VmConfig = { ...amd64, name: 'ppc64-test', arch: 'ppc64el' };

async function disk(t: ExecutionContext, options?: Parameters<typeof makeSmallDisk>[1]): Promise<SmallDisk & { dir: string }> {
  const dir = await testFolder(t, 'check');
  return { dir, ...(await makeSmallDisk(dir, options)) };
}

/** The problems reported for these inputs (the check must fail). */
async function problems(t: ExecutionContext, inputs: Partial<InputsToCheck> & { image: string }): Promise<string> {
  const error = await t.throwsAsync(checkInputs({ profile, fs: [], machines: [amd64], ...inputs }), { instanceOf: BadInputs });
  return error!.problems.join('\n');
}

test('good inputs pass, with the architecture and boot.conf noted', async (t) => {
  const d = await disk(t);
  const checked = await checkInputs({ profile, image: d.image, fs: [d.rootFs], machines: [amd64] });
  t.deepEqual(Object.fromEntries(Object.entries(checked.roots).map(([k, p]) => [k, p.where])), { hd0d: 'partition 5', hd0e: 'partition 6' });
  t.true(checked.notes.includes('architecture amd64, from the kernel on partition 5: /boot/vmlinuz (Linux bzImage)'));
  t.true(checked.notes.includes('boot.conf on partition 1 names hd0e'));
});

test('a missing or empty image or .fs is named with the fix', async (t) => {
  const d = await disk(t);
  t.regex(await problems(t, { image: join(d.dir, 'gone.img') }), /image .*gone\.img does not exist: check the path/);
  await writeFile(join(d.dir, 'empty.fs'), '');
  const text = await problems(t, { image: d.image, fs: [join(d.dir, 'empty.fs'), join(d.dir, 'gone.fs')] });
  t.regex(text, /\.fs file .*empty\.fs is empty \(0 bytes\): the copy or download did not finish; fetch it again/);
  t.regex(text, /\.fs file .*gone\.fs does not exist: check the path/);
});

test('an image without an MBR is refused, and a .fs passed as the image is recognised', async (t) => {
  const d = await disk(t);
  await writeFile(join(d.dir, 'zeros.img'), Buffer.alloc(65536));
  t.regex(await problems(t, { image: join(d.dir, 'zeros.img') }), /zeros\.img has no MBR \(no boot signature 55 aa at byte 510\): pass the whole disk image resflash built/);
  t.regex(await problems(t, { image: d.rootFs }), /root\.fs has no MBR .* \(it is a bare filesystem, e\.g\. a \.fs: pass that with --fs\)/);
});

test('a truncated image is refused with the partition it cuts (the extended one: the cut-off logical partitions are not even seen)', async (t) => {
  const d = await disk(t);
  await truncate(d.image, 10 * 1048576);
  t.regex(await problems(t, { image: d.image }), /disk\.img is truncated: partition 2 ends at byte 15728640 but the file has only 10485760 bytes; copy or download the image again/);
});

test('partitions missing or not where the profile expects them', async (t) => {
  const d = await disk(t);
  const elsewhere = { ...profile, name: 'mine', partitions: { hd0d: '5', hd0e: '9' } };
  t.regex(
    await problems(t, { image: d.image, profile: elsewhere }),
    /profile mine expects root hd0e on partition 9, but image .* has no partition 9 \(it has 1, 2, 5, 6, 7\): use the image built for this profile/,
  );
  const extended = { ...profile, name: 'mine', partitions: { hd0d: '2' } };
  t.regex(await problems(t, { image: d.image, profile: extended }), /expects root hd0d on partition 2, but that is the extended partition/);
});

test('a .fs larger than the root partitions is refused (resflash FAQ), and so are truncated and non-filesystem ones', async (t) => {
  const d = await disk(t);
  const bad = await makeBadInputs(d.rootFs, d.dir);
  const text = await problems(t, { image: d.image, fs: [bad.larger, bad.truncated, bad.notFilesystem] });
  t.regex(text, /larger\.fs \(5242880 bytes\) is larger than the image's root partitions \(4194304 bytes; hd0d = partition 5, hd0e = partition 6\): it was built for a larger image/);
  t.regex(text, /truncated\.fs is truncated: its filesystem declares 4194304 bytes but the file has 2097152; copy or download it again/);
  t.regex(text, /not-a-filesystem\.fs holds no filesystem bootproof recognises/);
});

test('the image architecture must match the machine, and the .fs the image', async (t) => {
  const d = await disk(t);
  t.regex(
    await problems(t, { image: d.image, machines: [amd64, ppc64] }),
    /holds a kernel for amd64 \(partition 5: \/boot\/vmlinuz \(Linux bzImage\)\) but machine ppc64-test emulates ppc64el: choose a machine of architecture amd64/,
  );
  const other = await disk(t, { kernel: fakeElfKernel(21) });
  t.regex(
    await problems(t, { image: d.image, fs: [other.rootFs] }),
    /\.fs file .*root\.fs holds a kernel for ppc64el \(\/boot\/vmlinuz, ELF 64-bit LSB\) but image .* is amd64: use the \.fs built for the same architecture/,
  );
});

test('disklabel roots (OpenBSD): the 0xA6 partition, its label and the letters are checked', async (t) => {
  const openbsd = loadProfile('openbsd-resflash');
  const d = await disk(t);
  t.regex(
    await problems(t, { image: d.image, profile: openbsd }),
    /profile openbsd-resflash expects root hd0d in disklabel partition d, but image .* has no OpenBSD \(0xA6\) MBR partition \(it has 1, 2, 5, 6, 7\)/,
  );

  const image = join(d.dir, 'openbsd.img');
  const file = await open(image, 'w');
  await file.truncate(16 * 1048576);
  await file.close();
  await execa('sfdisk', ['--quiet', image], { input: 'label: dos\nunit: sectors\nstart=64, size=32704, type=a6, bootable\n' });
  t.regex(await problems(t, { image, profile: openbsd }), /but partition 1 \(0xA6\) holds no disklabel/);

  const label = await open(image, 'r+');
  await label.write(makeDisklabel({ a: [128, 4096, 7], c: [0, 32768, 0], d: [4224, 8192, 7] }), 0, 512, 64 * 512 + 512);
  await label.close();
  t.regex(await problems(t, { image, profile: openbsd }), /expects root hd0e in disklabel partition e, but the disklabel has no partition e \(it has a, c, d\)/);

  const big = await open(join(d.dir, 'big.fs'), 'w');
  await big.truncate(5 * 1048576);
  await big.close();
  t.regex(
    await problems(t, { image, profile: { ...openbsd, partitions: { hd0d: 'd' } }, fs: [join(d.dir, 'big.fs')] }),
    /big\.fs \(5242880 bytes\) is larger than the image's root partitions \(4194304 bytes; hd0d = disklabel partition d\)/,
  );
});
