// `bootproof replay DIR --test NAME [--until N]`: boots a recorded test's machine and image again, types the test's
// recorded inputs, each once the output it followed has appeared, then hands the console to the person.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadVmConfig } from '../config/vm-config.ts';
import { loadProfile } from '../config/profile.ts';
import { chooseAccel, type AccelChoice } from '../qemu/accel.ts';
import { Machine, type Launch } from '../machine/machine.ts';
import { BootproofError, UsageError } from '../errors.ts';
import type { Results } from '../results/model.ts';
import { replayPlan, type ReplayStep } from './replay-plan.ts';
import { ConsoleSession } from './console-session.ts';
import { rawProcessTerminal } from './process-terminal.ts';
import { assertTerminalForeground } from './foreground.ts';

export interface ReplayRequest {
  runDir: string;
  test: string;
  /** Replay steps 1..until (default: all). */
  until?: number;
  /** Only print the numbered steps. */
  list: boolean;
  out: string;
  profile: string;
  accel: AccelChoice;
}

export async function replayTest(request: ReplayRequest): Promise<void> {
  const runDir = resolve(request.runDir);
  let results: Results;
  try {
    results = JSON.parse(await readFile(join(runDir, 'results.json'), 'utf8')) as Results;
  } catch {
    throw new UsageError(`${runDir} is not a run folder (no readable results.json): name a folder written by bootproof run or nightly`);
  }
  const matches = results.tests.filter((t) => [t.title, t.scenario, `${t.scenario}--${t.machine}`].includes(request.test));
  const record = matches.at(-1);
  if (!record) {
    throw new UsageError(`no test "${request.test}" in ${runDir}: choose one of ${results.tests.map((t) => `"${t.title}"`).join(', ')}`);
  }
  if (!record.artifacts.cast || !record.artifacts.launches) throw new UsageError(`test "${record.title}" has no console recording and QEMU launch record to replay`);
  const steps = replayPlan(await readFile(join(runDir, record.artifacts.cast), 'utf8'));
  if (request.list) {
    for (const s of steps) console.log(`${String(s.number).padStart(4)}  after ${JSON.stringify(s.after)}  send ${JSON.stringify(s.input)}`);
    return;
  }
  if (process.stdin.isTTY) assertTerminalForeground('replay');
  const until = Math.min(request.until ?? steps.length, steps.length);
  const launches = (await readFile(join(runDir, record.artifacts.launches), 'utf8')).split('\n').filter(Boolean).map((line) => JSON.parse(line) as Launch);
  const disks = launches[0]?.disks ?? [];
  const config = loadVmConfig(record.machine);
  const profile = loadProfile(request.profile);
  const accel = await chooseAccel(request.accel);
  let session: ConsoleSession | undefined;
  const machine = await Machine.create({
    config,
    profile,
    image: record.image.path,
    accel: accel.accel,
    artifactDir: request.out,
    ceilingSeconds: 12 * 3600,
    tap: (raw) => (session ? session.output(raw) : process.stdout.write(raw)),
  });
  try {
    console.log(`bootproof: replaying ${until} of ${steps.length} inputs of "${record.title}" (${record.image.path})`);
    if (launches.length > 1) console.log(`bootproof: the test started QEMU ${launches.length} times; the replay runs in one`);
    await machine.start({ disks });
    const stopped = await replaySteps(machine, steps.slice(0, until));
    console.log(`\r\nbootproof: ${stopped ?? `replayed ${until} inputs`}; the console is yours`);
    await handOver(machine, request.out, (s) => (session = s));
  } finally {
    await machine.release();
  }
  console.log(`\nbootproof: replay ended; recorded in ${request.out}: console.txt, console.cast`);
}

/** Sends each step's input once its output has appeared; returns why it stopped early, if it did. */
async function replaySteps(machine: Machine, steps: ReplayStep[]): Promise<string | undefined> {
  for (const step of steps) {
    if (step.after) {
      try {
        await machine.console.waitFor(step.after, { timeoutMs: 60_000 });
      } catch (error) {
        if (!(error instanceof BootproofError)) throw error;
        return `step ${step.number}: ${error.message.split('\n')[0]}`;
      }
    }
    await machine.console.send(step.input, 0);
  }
  return undefined;
}

async function handOver(machine: Machine, out: string, attach: (session: ConsoleSession) => void): Promise<void> {
  if (!process.stdin.isTTY) return;
  const terminal = rawProcessTerminal();
  try {
    const session = new ConsoleSession(machine, terminal, { fs: [], checkpoints: join(out, 'checkpoints'), alreadyOn: true });
    attach(session);
    await session.run();
  } finally {
    terminal.restore();
  }
}
