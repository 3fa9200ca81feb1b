// The example project's overhead: Debian's memtest86+ on the example's SeaBIOS machine (examples/memtest), from
// QEMU's start to memtest's first test on the console, through bootproof against bare QEMU with the same command
// line on plain pipes. Prints `name: value` lines; run alone or from bench.ts.
import { spawn, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTempFolder } from '../harness/qemu/temp-folder.ts';
import { loadVmConfig } from '../harness/config/vm-config.ts';
import { loadProfile } from '../harness/config/profile.ts';
import { chooseAccel } from '../harness/qemu/accel.ts';
import { buildArgv } from '../harness/qemu/argv.ts';
import { createOverlay } from '../harness/disk/overlay.ts';
import { Machine } from '../harness/machine/machine.ts';

const example = fileURLToPath(new URL('../examples/memtest/', import.meta.url));
/** What memtest prints as it starts its first test; raw bytes and the stream view both hold it whole. */
const token = '[Address test, walking ones';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const print = (name: string, value: string | number) => console.log(`${name}: ${value}`);

export async function benchExample(rounds = Number(process.env.BENCH_ROUNDS ?? 2)): Promise<void> {
  execFileSync('bash', [join(example, 'setup.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const config = loadVmConfig(join(example, 'vm-configs', 'memtest-bios.json'));
  const image = config.media.image!;
  const profile = loadProfile('generic');
  const { accel } = await chooseAccel('auto');
  const work = await createTempFolder('bench-example');

  async function bare(round: number): Promise<number> {
    const overlay = join(work.path, `bare-${round}.qcow2`);
    await createOverlay(image, overlay);
    const args = buildArgv(
      config,
      { disk: { path: overlay, format: 'qcow2' }, extraDisks: [], qmpSocket: join(work.path, `bare-${round}.sock`) },
      { accel, name: `bootproof-bench-example-bare-${round}` },
    );
    const started = performance.now();
    // Its own process group: killing `timeout` alone would leave QEMU running until the time limit.
    const qemu = spawn('timeout', ['-s', 'KILL', '300', config.qemu.binary, ...args], { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    let seen = '';
    try {
      await new Promise<void>((resolve, reject) => {
        qemu.stdout.on('data', (chunk: Buffer) => {
          seen = (seen + chunk.toString('latin1')).slice(-256);
          if (seen.includes(token)) resolve();
        });
        qemu.on('exit', () => reject(new Error(`bare QEMU exited before memtest printed ${token}`)));
      });
      return performance.now() - started;
    } finally {
      process.kill(-qemu.pid!, 'SIGKILL');
    }
  }

  async function harness(round: number): Promise<number> {
    const machine = await Machine.create({ config, profile, image, accel, artifactDir: join(work.path, `h-${round}`) });
    try {
      const started = performance.now();
      await machine.start();
      await machine.console.waitFor(token, { timeoutMs: 120_000 });
      return performance.now() - started;
    } finally {
      await machine.release();
    }
  }

  const bareMs: number[] = [];
  const harnessMs: number[] = [];
  try {
    // Alternating which goes first keeps a warm-up or a neighbour's load from favouring one side.
    for (let round = 0; round < rounds; round++) {
      if (round % 2 === 0) bareMs.push(await bare(round));
      harnessMs.push(await harness(round));
      if (round % 2 === 1) bareMs.push(await bare(round));
    }
    if (process.env.BENCH_VERBOSE) console.error({ bareMs, harnessMs });
  } finally {
    await work.cleanup();
  }
  print('example_memtest_bare_ms_median', Math.round(median(bareMs)));
  print('example_memtest_bootproof_ms_median', Math.round(median(harnessMs)));
  print('example_overhead_ratio', (median(harnessMs) / median(bareMs)).toFixed(3));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchExample();
