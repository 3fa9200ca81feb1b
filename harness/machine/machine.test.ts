import test, { type ExecutionContext } from 'ava';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Machine } from './machine.ts';
import { loadVmConfig } from '../config/vm-config.ts';
import { loadProfile } from '../config/profile.ts';
import { makeSmallDisk } from '../image/testdata/small-disk.ts';
import { UsageError } from '../errors.ts';
import { checkpointFiles } from '../qemu/checkpoint.ts';
import { createOverlay } from '../disk/overlay.ts';
import { testFolder } from '../testdata/test-folder.ts';

const options = async (t: ExecutionContext) => {
  const dir = await testFolder(t, 'machine');
  const { image } = await makeSmallDisk(dir);
  return { config: loadVmConfig('amd64-bios'), profile: loadProfile('fixture'), image, accel: 'tcg' as const, artifactDir: join(dir, 'out') };
};

test('a machine boots an overlay unless asked to write the image itself', async (t) => {
  const base = await options(t);
  const overlaid = await Machine.create(base);
  t.teardown(() => overlaid.release());
  t.not(overlaid.overlayPath, base.image);
  t.regex(overlaid.overlayPath, /disk\.qcow2$/);
  const writing = await Machine.create({ ...base, writeImage: true });
  t.teardown(() => writing.release());
  t.is(writing.overlayPath, base.image);
  await t.throwsAsync(writing.resetDisk(), { message: /booting the image itself/ });
});

test('a checkpoint cannot be restored onto the image itself, and a folder without one is named', async (t) => {
  const base = await options(t);
  await t.throwsAsync(Machine.create({ ...base, writeImage: true, checkpoint: '/nowhere' }), {
    instanceOf: UsageError,
    message: 'a checkpoint cannot be restored onto the image itself (--write)',
  });
  await t.throwsAsync(Machine.create({ ...base, checkpoint: '/nowhere' }), { message: /\/nowhere holds no checkpoint/ });
});

test("a machine's private folder is named after this process and is gone after release", async (t) => {
  const base = await options(t);
  t.teardown(() => rm(dirname(base.artifactDir), { recursive: true, force: true }));
  const machine = await Machine.create(base);
  const folder = dirname(machine.privatePath('x'));
  t.regex(basename(folder), new RegExp(`^bp-${process.pid}-`));
  t.true(existsSync(join(folder, 'disk.qcow2')), 'it holds the overlay');
  await machine.release();
  t.false(existsSync(folder));
});

test('a machine with a NIC serves the files next to its image, or those of the folder it is given', async (t) => {
  const base = { ...(await options(t)), config: loadVmConfig('amd64-ipxe') };
  await t.throwsAsync(Machine.create(base), { instanceOf: UsageError, message: /boots vmlinuz from its boot server, but .*vmlinuz does not exist/ });
  const served = await testFolder(t, 'served');
  for (const name of ['vmlinuz', 'initrd.img']) await writeFile(join(served, name), name);
  const machine = await Machine.create({ ...base, servedFrom: served });
  t.teardown(() => machine.release());
  t.is(await readFile(join(machine.bootServer.folder, 'vmlinuz'), 'utf8'), 'vmlinuz');
});

/** A checkpoint folder as Machine.checkpoint writes one, minus the RAM (enough to create a machine from it). */
async function fakeCheckpoint(t: ExecutionContext, image: string, firmwareSettings?: string[]): Promise<string> {
  const dir = await testFolder(t, 'checkpoint');
  await copyFile(image, join(dir, checkpointFiles.disk));
  await writeFile(join(dir, checkpointFiles.vars), Buffer.alloc(65536));
  const info = { machine: 'ppc64-ofw', image, extraDisks: [], pluggedDisks: [], accel: 'tcg', profile: 'fixture', savedAt: '', wasRunning: true, stateBytes: 0 };
  await writeFile(join(dir, checkpointFiles.info), JSON.stringify({ ...info, ...(firmwareSettings ? { firmwareSettings } : {}) }));
  return dir;
}

test('the boot commands an NVRAM file holds go with it: none in a new machine, those of the checkpoint restored', async (t) => {
  const base = { ...(await options(t)), config: loadVmConfig('ppc64-ofw') };
  const typed = ['setenv boot-device disk:1,\\ofwboot', 'reset-all'];
  const machine = await Machine.create(base);
  t.teardown(() => machine.release());
  t.true(machine.firmwareSettingsSaved === undefined);
  machine.rememberFirmwareSettings(typed);
  await machine.useCheckpoint(await fakeCheckpoint(t, base.image));
  t.true(machine.firmwareSettingsSaved === undefined, 'a checkpoint saved before the commands were typed');
  await machine.useCheckpoint(await fakeCheckpoint(t, base.image, typed));
  t.deepEqual(machine.firmwareSettingsSaved, typed);
  const resumed = await Machine.create({ ...base, checkpoint: await fakeCheckpoint(t, base.image, typed) });
  t.teardown(() => resumed.release());
  t.deepEqual(resumed.firmwareSettingsSaved, typed);
});

test('a machine can take the firmware files of another of its kind, with the boot commands they hold', async (t) => {
  const base = { ...(await options(t)), config: loadVmConfig('ppc64-ofw') };
  const typed = ['setenv boot-device disk:1,\\ofwboot', 'reset-all'];
  const first = await Machine.create(base);
  t.teardown(() => first.release());
  first.rememberFirmwareSettings(typed);
  const nvram = Buffer.alloc(65536, 0x5a);
  await writeFile(first.privatePath('nvram.bin'), nvram);
  const second = await Machine.create(base);
  t.teardown(() => second.release());
  t.true(second.firmwareSettingsSaved === undefined);
  t.notDeepEqual(await readFile(second.privatePath('nvram.bin')), nvram);
  await second.copyFirmwareFrom(first);
  t.deepEqual(await readFile(second.privatePath('nvram.bin')), nvram);
  t.deepEqual(second.firmwareSettingsSaved, typed);
  const other = await Machine.create({ ...base, config: loadVmConfig('amd64-uefi') });
  t.teardown(() => other.release());
  await t.throwsAsync(other.copyFirmwareFrom(first), { instanceOf: UsageError, message: /amd64-uefi cannot take the firmware files of a ppc64-ofw/ });
});

test('a checkpoint restores the firmware flash image of a machine that runs from one', async (t) => {
  const base = await options(t);
  const checkpoint = join(base.artifactDir, 'checkpoint');
  await mkdir(checkpoint, { recursive: true });
  await writeFile(join(checkpoint, 'checkpoint.json'), '{}');
  await createOverlay(base.image, join(checkpoint, 'disk.qcow2'));
  await t.throwsAsync(Machine.create({ ...base, config: loadVmConfig('mips64-uboot'), checkpoint }), {
    instanceOf: UsageError,
    message: /has no flash\.img/,
  });
});
