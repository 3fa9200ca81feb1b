// npm run bench: the matrix's wall time (nightly and CI slice, measured and projected), boot-to-shell overhead
// against bare QEMU, wait latency, console throughput, checkpoints, the example project's overhead (memtest86+
// through bootproof against bare QEMU) and the crash-states rate. Prints `name: value` lines.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createTempFolder } from '../harness/qemu/temp-folder.ts';
import { loadVmConfig } from '../harness/config/vm-config.ts';
import { loadProfile } from '../harness/config/profile.ts';
import { chooseAccel } from '../harness/qemu/accel.ts';
import { buildArgv } from '../harness/qemu/argv.ts';
import { createOverlay } from '../harness/disk/overlay.ts';
import { ensureFixture } from '../harness/fixture/fixture.ts';
import { Machine } from '../harness/machine/machine.ts';
import { BootPath } from '../harness/boot/boot-path.ts';
import { benchCheckpoint } from './bench-checkpoint.ts';
import { benchExample } from './bench-example.ts';
import { benchCrashStates } from './bench-crash-states.ts';
import { benchMatrix } from './bench-matrix.ts';

// First, as it boots nothing: the nightly's and the CI slice's wall time.
await benchMatrix();

const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const config = loadVmConfig('amd64-bios');
const profile = loadProfile('fixture');
const fixture = await ensureFixture('amd64');
const { accel } = await chooseAccel('auto');
const work = await createTempFolder('bench');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const print = (name: string, value: string | number) => console.log(`${name}: ${value}`);

/** Boots with the same QEMU command line on plain pipes and scans the bytes for the shell prompt. */
async function bareBoot(round: number): Promise<number> {
  const overlay = join(work.path, `bare-${round}.qcow2`);
  await createOverlay(fixture.disk, overlay);
  const args = buildArgv(
    config,
    { disk: { path: overlay, format: 'qcow2' }, extraDisks: [], qmpSocket: join(work.path, `bare-${round}.sock`) },
    { accel, name: `bootproof-bench-bare-${round}` },
  );
  const started = performance.now();
  // Its own process group: killing `timeout` alone would leave QEMU running until the time limit.
  const qemu = spawn('timeout', ['-s', 'KILL', '300', config.qemu.binary, ...args], { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    qemu.stdout.on('data', (chunk: Buffer) => {
      seen = (seen + chunk.toString('latin1')).slice(-64);
      if (seen.includes('resflash(hd0d)# ')) resolve();
    });
    qemu.on('exit', () => reject(new Error('bare QEMU exited before the prompt')));
  });
  const elapsed = performance.now() - started;
  process.kill(-qemu.pid!, 'SIGKILL');
  return elapsed;
}

/**
 * Boots through bootproof to the shell; optionally keeps the machine for further measures. `toPrompt` is when the
 * prompt's bytes reached the harness, scanned as bareBoot scans them; after it come the witnesses a boot record holds.
 */
async function harnessBoot(round: number, tap?: (raw: string) => void) {
  let seen = '';
  let promptAt: number | undefined;
  const watch = (raw: string) => {
    if (promptAt === undefined) {
      seen = (seen + raw).slice(-64);
      if (seen.includes('resflash(hd0d)# ')) promptAt = performance.now();
    }
    tap?.(raw);
  };
  const started = performance.now();
  const machine = await Machine.create({ config, profile, image: fixture.disk, accel, artifactDir: join(work.path, `h-${round}`), tap: watch });
  const boot = new BootPath(machine, profile);
  await boot.reach('shell');
  const elapsed = performance.now() - started;
  return { elapsed, toPrompt: (promptAt ?? performance.now()) - started, machine, boot };
}

const bare: number[] = [];
const harness: number[] = [];
const prompt: number[] = [];
for (let round = 0; round < rounds; round++) {
  bare.push(await bareBoot(round));
  const { elapsed, toPrompt, machine } = await harnessBoot(round);
  harness.push(elapsed);
  prompt.push(toPrompt);
  await machine.release();
}
print('accelerator', accel);
print('boot_to_shell_bare_ms_median', Math.round(median(bare)));
// To the prompt, as bare QEMU is timed: the harness's own overhead.
print('boot_to_prompt_bootproof_ms_median', Math.round(median(prompt)));
print('boot_to_prompt_ratio', (median(prompt) / median(bare)).toFixed(3));
// With the witnesses a boot record holds, which bare QEMU does not gather.
print('boot_to_shell_bootproof_ms_median', Math.round(median(harness)));
print('boot_to_shell_ratio', (median(harness) / median(bare)).toFixed(3));
print('boot_witnesses_ms_median', Math.round(median(harness.map((ms, i) => ms - prompt[i]!))));

// Wait latency: from the chunk that completes a token arriving on the pty to waitFor resolving.
let watching: { token: string; window: string; arrivedAt?: number } | undefined;
const { machine, boot } = await harnessBoot(rounds, (raw) => {
  if (!watching || watching.arrivedAt) return;
  watching.window = (watching.window + raw).slice(-256);
  if (watching.window.includes(watching.token)) watching.arrivedAt = performance.now();
});
const latencies: number[] = [];
for (let i = 0; i < 50; i++) {
  const token = `TOKEN${i}X${Math.random().toString(36).slice(2, 8)}`;
  watching = { token, window: '' };
  await machine.console.sendLine(`echo ${token.slice(0, 5)}""${token.slice(5)}`);
  await machine.console.waitFor(token, { timeoutMs: 10_000 });
  latencies.push(performance.now() - watching.arrivedAt!);
}
print('wait_latency_ms_median', median(latencies).toFixed(3));
print('wait_latency_ms_p95', percentile(latencies, 0.95).toFixed(3));

// Console throughput: 200 kB of lines printed by the guest, through the stream view.
const bytes = 200_000;
const t0 = performance.now();
await boot.shell.succeed(`yes 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz | head -c ${bytes}`, { timeoutMs: 60_000 });
print('console_throughput_kB_per_s', ((bytes / 1000) / ((performance.now() - t0) / 1000)).toFixed(1));
print('node_rss_MiB', (process.memoryUsage().rss / 1048576).toFixed(1));
await machine.release();
await work.cleanup();

// Checkpoints: restoring "booted to a shell" against booting there.
await benchCheckpoint('amd64-bios');

// The example project: Debian's memtest86+ on SeaBIOS, through bootproof against bare QEMU.
await benchExample(rounds);

// Crash states: judged per minute of one crash-states test (BENCH_CRASH_STATES of them at most, default 400 as in
// the nightly), one state booted per core at once.
const crashOut = await createTempFolder('bench-crash');
await benchCrashStates(crashOut.path, Number(process.env.BENCH_CRASH_STATES ?? 400), availableParallelism());
await crashOut.cleanup();
