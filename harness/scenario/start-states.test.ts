import test from 'ava';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadProfile } from '../config/profile.ts';
import { loadVmConfig, type VmConfig } from '../config/vm-config.ts';
import { BootPath } from '../boot/boot-path.ts';
import { fakeMachine } from '../boot/testdata/fake-machine.ts';
import { FakeFixture } from '../boot/testdata/fake-fixture.ts';
import type { Fixture } from '../fixture/fixture.ts';
import { SharedStates, type StateMachine } from './start-states.ts';
import { guardMismatch, stateGuard, type StateGuard } from './state-guard.ts';
import { testFolder } from '../testdata/test-folder.ts';

const profile = loadProfile('fixture');
const images = { 'disk.img': 'a'.repeat(64) };

/** A scenario's machine on the fake PC running the fixture: it really boots (in the fake), and keeps no checkpoints. */
function fakeVm(config: VmConfig = loadVmConfig('amd64-bios')) {
  const machine = fakeMachine(config, new FakeFixture({ bootConf: 'hd0d' }));
  const steps: string[] = [];
  const vm: StateMachine = {
    config,
    profile,
    boot: new BootPath(machine, profile),
    hasFixture: false,
    get fixture(): Fixture {
      throw new Error('no fixture in this test');
    },
    version: (n) => String(n),
    extraDiskDevice: (i) => `/dev/vd${'bc'[i]}`,
    upgrade: async () => '',
    rebootToShell: async () => undefined,
    step: async (name, action) => (steps.push(name), action()),
  };
  return { vm, machine, steps };
}

function sharedStates(folder: string, logs: string[], imageHashes: Record<string, string> = images): SharedStates {
  return new SharedStates({ folder, title: 'upgrade on amd64-bios', variant: 'normal', accel: 'tcg', images: imageHashes, log: (m) => void logs.push(m) });
}

/** A shared state's folder as another test left it, made with `guard`. */
async function leaveState(folder: string, guard: StateGuard): Promise<string> {
  const dir = join(folder, 'shell--amd64-bios--normal--fixture');
  await mkdir(dir, { recursive: true });
  const boot = { state: 'shell', boot: { device: 'hd0d', version: '1', phases: {} }, disks: [] };
  await writeFile(join(dir, 'shared-state.json'), JSON.stringify({ state: 'shell', guard, builtBy: 'boot on amd64-bios', boot }));
  return dir;
}

const guardFor = (imageHashes: Record<string, string>) =>
  stateGuard({ config: loadVmConfig('amd64-bios'), profile, accel: 'tcg', images: imageHashes, disks: [] });

test('a guard names every difference that makes a checkpoint unusable here, and none for the same host, QEMU and images', async (t) => {
  const here = await guardFor(images);
  t.is(guardMismatch(here, here), undefined);
  const other = { ...here, host: 'elsewhere', qemu: { ...here.qemu, version: 'QEMU emulator version 6.0.0' }, images: { 'disk.img': 'b'.repeat(64) } };
  const reasons = guardMismatch(other, here) ?? '';
  t.regex(reasons, /made on host elsewhere, this is /);
  t.regex(reasons, /made with qemu-system-x86_64 \(QEMU emulator version 6\.0\.0\)/);
  t.regex(reasons, /made from another disk\.img \(sha256 bbbbbbbbbbbb, this test's is aaaaaaaaaaaa\)/);
  t.regex(guardMismatch({ ...here, images: { ...images, 'root-v2.fs': 'c'.repeat(64) } }, here) ?? '', /another root-v2\.fs/, 'a .fs file counts as much as the disk');
  t.regex(guardMismatch({ ...here, profile: 'x' }, here) ?? '', /another version of the target profile/);
  t.regex(guardMismatch({ ...here, vmConfig: 'x' }, here) ?? '', /another version of the vm-config/);
});

test('a shared checkpoint made from another image is refused: the test boots to the state for real and its record says why', async (t) => {
  const folder = await testFolder(t, 'states');
  await leaveState(folder, await guardFor({ 'disk.img': 'b'.repeat(64) }));
  const logs: string[] = [];
  const { vm } = fakeVm();
  // The fake machine throws on useCheckpoint: a refused checkpoint must never reach it.
  const started = await sharedStates(folder, logs).startFrom(vm, 'shell');
  t.is(started.how, 'booted');
  t.regex(started.note ?? '', /was not used: it was made from another disk\.img \(sha256 bbbbbbbbbbbb, this test's is aaaaaaaaaaaa\)/);
  t.regex(logs.join('\n'), /booting to the state "shell" instead/);
  t.like(vm.boot.lastBoot, { start: 'power-on', device: 'hd0d', version: '1' }, 'the test booted the image itself');
  t.is(vm.boot.lastBoot.restored, undefined);
});

test('a shared checkpoint that fails to restore makes the test boot fresh and say so, instead of failing', async (t) => {
  const folder = await testFolder(t, 'states');
  await leaveState(folder, await guardFor(images));
  const logs: string[] = [];
  const { vm, machine } = fakeVm();
  machine.resetDisk = async () => undefined;
  const started = await sharedStates(folder, logs).startFrom(vm, 'shell');
  t.is(started.how, 'booted');
  t.regex(started.note ?? '', /restoring the shared checkpoint .*shell--amd64-bios--normal--fixture failed: the fake machine keeps no checkpoints/);
  t.like(vm.boot.lastBoot, { start: 'power-on', device: 'hd0d' });
});

test('the first test to need a state boots to it and tries to save it; a checkpoint that could not be saved leaves nothing behind', async (t) => {
  const folder = await testFolder(t, 'states');
  const logs: string[] = [];
  const { vm, steps } = fakeVm();
  const started = await sharedStates(folder, logs).startFrom(vm, 'shell');
  t.deepEqual(steps, ['boot the image', 'save the state "shell" for later tests (checkpoint)']);
  t.like(started, { state: 'shell', how: 'booted', note: 'the checkpoint was not kept: the fake machine keeps no checkpoints' });
  t.deepEqual(await readdir(folder), [], 'no half-written state is left for a later test');
});

test('a machine that does not resume checkpoints boots to the state and shares none', async (t) => {
  const folder = await testFolder(t, 'states');
  const { vm, steps } = fakeVm({ ...loadVmConfig('amd64-bios'), resumesCheckpoints: false });
  const started = await sharedStates(folder, []).startFrom(vm, 'shell');
  t.like(started, { how: 'booted', note: 'amd64-bios does not resume checkpoints (resumesCheckpoints: false), so the test booted to the state' });
  t.deepEqual(steps, ['boot the image']);
});

test('a test starts from a state once, before its first boot, and only from a state that exists', async (t) => {
  const folder = await testFolder(t, 'states');
  const { vm } = fakeVm();
  const states = sharedStates(folder, []);
  await t.throwsAsync(() => states.startFrom(vm, 'desktop' as never), { message: /no such starting state; the states are shell, upgraded/ });
  await vm.boot.reach('shell');
  await t.throwsAsync(() => states.startFrom(vm, 'shell'), { message: /must come before the test's first boot/ });
});
