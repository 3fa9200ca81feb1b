import test from 'ava';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readCheckpointInfo, restoreFirmwareFiles, saveDrives } from './checkpoint.ts';
import { buildArgv } from './argv.ts';
import { loadVmConfig } from '../config/vm-config.ts';
import { UsageError } from '../errors.ts';
import { testFolder } from '../testdata/test-folder.ts';

test('a folder without a checkpoint is named with the fix', async (t) => {
  const dir = await testFolder(t, 'checkpoint');
  await t.throwsAsync(readCheckpointInfo(dir), {
    instanceOf: UsageError,
    message: `${dir} holds no checkpoint (${join(dir, 'checkpoint.json')}: ENOENT): name a folder a checkpoint was saved to`,
  });
});

test('a VM restored from a checkpoint starts waiting for its state (-incoming defer)', (t) => {
  const config = loadVmConfig('amd64-bios');
  const files = { disk: { path: '/d.qcow2', format: 'qcow2' as const }, extraDisks: [], qmpSocket: '/q.sock' };
  const argv = buildArgv(config, { ...files, incoming: true }, { accel: 'tcg', name: 'x' });
  t.deepEqual(argv.slice(-2), ['-incoming', 'defer']);
  t.false(buildArgv(config, files, { accel: 'tcg', name: 'x' }).includes('-incoming'));
});

test('a checkpoint carries the disk overlay and every writable firmware file, and gives the firmware files back', async (t) => {
  const vm = await testFolder(t, 'vm');
  const dir = await testFolder(t, 'checkpoint');
  const files = { vars: join(vm, 'nvram.bin'), flash: join(vm, 'flash.img') };
  await writeFile(join(vm, 'disk.qcow2'), 'overlay');
  await writeFile(files.vars, 'variables');
  await writeFile(files.flash, 'u-boot and its environment');
  await saveDrives(dir, join(vm, 'disk.qcow2'), files);
  t.deepEqual((await readdir(dir)).sort(), ['disk.qcow2', 'flash.img', 'vars.fd']);

  await writeFile(files.vars, 'changed later');
  await writeFile(files.flash, 'changed later');
  await restoreFirmwareFiles(dir, files);
  t.is(await readFile(files.vars, 'utf8'), 'variables');
  t.is(await readFile(files.flash, 'utf8'), 'u-boot and its environment');
});

test('a machine without firmware files checkpoints its disk only', async (t) => {
  const vm = await testFolder(t, 'vm');
  const dir = await testFolder(t, 'checkpoint');
  await writeFile(join(vm, 'disk.qcow2'), 'overlay');
  await saveDrives(dir, join(vm, 'disk.qcow2'), {});
  t.deepEqual(await readdir(dir), ['disk.qcow2']);
});

test('a checkpoint lacking a firmware file the machine writes is refused, naming the file', async (t) => {
  const vm = await testFolder(t, 'vm');
  const dir = await testFolder(t, 'checkpoint');
  await writeFile(join(dir, 'disk.qcow2'), 'overlay');
  const flash = join(vm, 'flash.img');
  await writeFile(flash, 'u-boot');
  await t.throwsAsync(restoreFirmwareFiles(dir, { flash }), {
    instanceOf: UsageError,
    message: `${dir} is not a whole checkpoint of this machine: it has no flash.img (the machine's firmware writes one); save the checkpoint again`,
  });
  t.is(await readFile(flash, 'utf8'), 'u-boot');
});
