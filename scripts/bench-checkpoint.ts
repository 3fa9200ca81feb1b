// Checkpoint benchmark: boot to a shell, save a checkpoint, then time restoring it to a responsive shell against the
// boot it replaces. Prints `name: value` lines; run alone (BENCH_MACHINE=amd64-uefi for OVMF) or from bench.ts.
import { join } from 'node:path';
import { stat } from 'node:fs/promises';
import { createTempFolder } from '../harness/qemu/temp-folder.ts';
import { loadVmConfig } from '../harness/config/vm-config.ts';
import { loadProfile } from '../harness/config/profile.ts';
import { chooseAccel } from '../harness/qemu/accel.ts';
import { ensureFixture } from '../harness/fixture/fixture.ts';
import { Machine } from '../harness/machine/machine.ts';
import { BootPath } from '../harness/boot/boot-path.ts';
import { Shell } from '../harness/boot/shell.ts';

const print = (name: string, value: string | number) => console.log(`${name}: ${value}`);

export async function benchCheckpoint(machineName = process.env.BENCH_MACHINE ?? 'amd64-bios'): Promise<void> {
  const config = loadVmConfig(machineName);
  const profile = loadProfile('fixture');
  const fixture = await ensureFixture('amd64');
  const { accel } = await chooseAccel('auto');
  const work = await createTempFolder('bench-checkpoint');
  const checkpoint = join(work.path, 'shell');
  const marker = `in-memory-${Date.now()}`;
  try {
    const first = await Machine.create({ config, profile, image: fixture.disk, accel, artifactDir: join(work.path, 'boot') });
    const boot = new BootPath(first, profile);
    const bootStarted = performance.now();
    await boot.reach('shell');
    const bootMs = performance.now() - bootStarted;
    await boot.shell.succeed(`echo ${marker} > /etc/bp-marker`);
    const saveStarted = performance.now();
    const info = await first.checkpoint(checkpoint, { resume: false });
    const saveMs = performance.now() - saveStarted;
    await first.release();

    const restoreStarted = performance.now();
    const second = await Machine.create({ config, profile, image: fixture.disk, accel, artifactDir: join(work.path, 'restore'), checkpoint });
    await second.start();
    const shell = new Shell(() => second.console, { typingDelayMs: profile.shell.typingDelayMs });
    const seen = (await shell.succeed('cat /etc/bp-marker', { timeoutMs: 60_000 })).trim();
    const restoreMs = performance.now() - restoreStarted;
    await second.release();
    if (seen !== marker) throw new Error(`the restored VM lost its memory: /etc/bp-marker holds "${seen}", not "${marker}"`);

    print(`checkpoint_machine`, machineName);
    print('checkpoint_boot_to_shell_ms', Math.round(bootMs));
    print('checkpoint_save_ms', Math.round(saveMs));
    print('checkpoint_state_MiB', (info.stateBytes / 1048576).toFixed(1));
    print('checkpoint_disk_MiB', ((await stat(join(checkpoint, 'disk.qcow2'))).size / 1048576).toFixed(1));
    print('checkpoint_restore_to_shell_ms', Math.round(restoreMs));
    print('checkpoint_restore_vs_boot_ratio', (restoreMs / bootMs).toFixed(3));
  } finally {
    await work.cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchCheckpoint();
