// Runs scenarios × machines as ava tests in a child process, then writes the run folder's report.
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { loadVmConfig, machineNames } from '../config/vm-config.ts';
import { loadProfile } from '../config/profile.ts';
import { isPath } from '../config/named-files.ts';
import { userRoot } from '../config/user-folder.ts';
import { chooseAccel, type AccelChoice } from '../qemu/accel.ts';
import { checkFixtureRequest } from '../fixture/fixture.ts';
import { newRunInfo, writeRunInfo } from '../results/run-info.ts';
import type { Results } from '../results/model.ts';
import { appendRecord, readRecords, recordsFile } from '../results/records.ts';
import { failedTitles } from './retries.ts';
import { expectedFailure } from '../results/known-failures.ts';
import { loadKnownFailures } from './known-failures-file.ts';
import { writeReport } from '../report/write-report.ts';
import { UsageError } from '../errors.ts';
import { appendHistory, belongsInHistory, historyFileFor, readHistory } from '../report/history.ts';
import { expectationFrom, plainOutput, showProgress, type OutputSink } from './progress.ts';
import { parseShard } from '../scenario/selection.ts';
import { scenarioFile } from './scenario-files.ts';
import { collectTests, type Collection } from './collect.ts';
import { expectedDurations } from './durations.ts';
import { planLanes, type Lane } from './lanes.ts';
import { packageDir, preloads } from './bootproof-package.ts';
import type { DeclaredTest } from '../scenario/scenario.ts';
import { sharedStatesFolder } from '../scenario/start-states.ts';

export interface RunRequest {
  scenarios: string[];
  /** Undefined: every machine each scenario qualifies for. */
  machines?: string[];
  slice: 'ci' | 'full';
  out: string;
  accel: AccelChoice;
  variant: string;
  profile: string;
  command: string;
  /** How often a failed test runs again; passing on a retry makes it flaky. */
  retries: number;
  /** Runs of every selected test (to shake out races); differing results make a test flaky. */
  repeat: number;
  /** Tests run at the same time: the jobs, each an ava process running its share of the tests one after another. */
  jobs: number;
  /** "i/n": run only this stable slice of the matrix. */
  shard?: string;
  /** The known-failures file; undefined: ./known-failures.json when it exists. */
  knownFailures?: string;
  /** Scenario settings passed on to the tests (e.g. BOOTPROOF_MAX_STATES). */
  settings?: Record<string, string>;
}

export interface RunOutcome {
  results: Results;
  exitCode: 0 | 1;
}

// ava exports no path to its CLI; it sits beside the main entry point.
export const avaCli = join(dirname(createRequire(import.meta.url).resolve('ava')), 'cli.mjs');
/** package.json's ava settings, started in the order of BOOTPROOF_FILE_ORDER. */
export const avaConfig = fileURLToPath(new URL('./ava-run.config.mjs', import.meta.url));

/** The request with its paths made absolute and its inputs checked, and the scenario files it runs. */
export function checkedRequest(asked: RunRequest): { request: RunRequest; files: string[]; knownFailures: ReturnType<typeof loadKnownFailures> } {
  // The test processes start in bootproof's folder: paths must not depend on the working directory.
  const request = { ...asked, machines: asked.machines?.map((m) => pathOrName(m, '.json')), profile: pathOrName(asked.profile, '.json') };
  const files = request.scenarios.map(scenarioFile);
  const configs = (request.machines ?? []).map((m) => loadVmConfig(m));
  const profile = loadProfile(request.profile);
  for (const config of configs) checkFixtureRequest(config.arch, request.variant, profile.fixtureShape);
  if (request.shard) parseShard(request.shard);
  const knownFailures = loadKnownFailures(request.knownFailures, [...new Set([...machineNames(), ...configs.map((c) => c.name)])]);
  return { request, files, knownFailures };
}

/** What the request would run, collected from the scenario files without a boot; `accel` as the test processes get it. */
export async function collectRequest(request: RunRequest, files: string[], accel: string): Promise<Collection> {
  const collection = await collectTests(files, avaEnv(request, accel, 1));
  if (collection.tests.length === 0) {
    throw new UsageError(`no test to run: none of the scenarios (${request.scenarios.join(', ')}) applies to the machines asked for`);
  }
  return collection;
}

export async function runScenarios(asked: RunRequest): Promise<RunOutcome> {
  const { request, knownFailures, files } = checkedRequest(asked);
  await prepareOutDir(request.out);

  const accel = await chooseAccel(request.accel);
  const collection = await collectRequest(request, files, accel.accel);
  const { tests } = collection;
  const history = await readHistory(historyFileFor(request.out), request.profile);
  const durations = expectedDurations(history, accel.accel);
  const lanes = (only?: string[]) => planLanes(collection, durations, request.jobs, only);
  const info = newRunInfo(request.out, accel.accel, accel.reason, request.command, request.profile);
  await writeRunInfo(request.out, { ...info, ...(knownFailures ? { knownFailures } : {}) });
  const today = info.startedAt.slice(0, 10);
  const expected = (test: Parameters<typeof expectedFailure>[0]) => expectedFailure(test, knownFailures?.entries ?? [], today) !== undefined;
  await recordSkips(request.out, tests, accel.accel);
  await writeReport(request.out, false);
  console.log(`bootproof: accelerator ${accel.accel} (${accel.reason}); report in ${request.out}`);

  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    for (const ava of current) ava.kill(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let exitCode = 0;
  const output = process.stderr.isTTY
    ? showProgress(request.out, expectationFrom(history.at(-1)))
    : plainOutput;
  const stopLiveReport = rebuildReportWhileRunning(request.out);
  try {
    let attempt = 1;
    for (; attempt <= request.repeat && !interrupted; attempt++) {
      exitCode = Math.max(exitCode, await runLanes(request, lanes(), accel.accel, attempt, output));
    }
    for (const last = attempt + request.retries; attempt < last && !interrupted; attempt++) {
      const failed = failedTitles(await readRecords(request.out), expected);
      if (failed.length === 0) break;
      console.log(`bootproof: retrying ${failed.length} failed test${failed.length === 1 ? '' : 's'} (attempt ${attempt})`);
      exitCode = await runLanes(request, lanes(failed), accel.accel, attempt, output);
    }
  } finally {
    output.stop();
    await stopLiveReport();
    // The shared starting states are checkpoints of ~100 MB each: they serve this run only.
    await rm(sharedStatesFolder(request.out), { recursive: true, force: true });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const results = await writeReport(request.out, !interrupted);
  if (belongsInHistory(results.run)) await appendHistory(historyFileFor(request.out), results);
  if (interrupted) {
    console.error(`bootproof: interrupted; ${request.out}/results.json is marked incomplete`);
    return { results, exitCode: 1 };
  }
  // ava fails when any test fails; only known failures may excuse that.
  const excused = results.summary.knownFailures > 0 && results.tests.every((t) => t.status !== 'failed' || t.knownFailure);
  const bad = results.summary.failed > 0 || (exitCode !== 0 && !excused) || interrupted;
  return { results, exitCode: bad ? 1 : 0 };
}

/** A path made absolute, a name as it is. */
function pathOrName(nameOrPath: string, suffix: string): string {
  return isPath(nameOrPath, suffix) ? resolve(nameOrPath) : nameOrPath;
}

/** The ava processes in progress, which a signal to the runner is passed on to. */
const current = new Set<ResultPromise>();

/** The settings a test process reads (see scenario/selection.ts and scenario/scenario.ts). */
function avaEnv(request: RunRequest, accel: string, attempt: number): Record<string, string> {
  return {
    BOOTPROOF_RUN_DIR: request.out,
    BOOTPROOF_MACHINES: request.machines?.join(',') ?? '',
    BOOTPROOF_SLICE: request.slice,
    BOOTPROOF_SHARD: request.shard ?? '',
    BOOTPROOF_ACCEL: accel,
    BOOTPROOF_VARIANT: request.variant,
    BOOTPROOF_PROFILE: request.profile,
    BOOTPROOF_ATTEMPT: String(attempt),
    BOOTPROOF_OWNER_PID: String(process.pid),
    BOOTPROOF_USER_DIR: userRoot(),
    ...request.settings,
  };
}

/** The lanes' ava processes side by side, each running its tests one after another; resolves to the worst exit status. */
async function runLanes(request: RunRequest, lanes: Lane[], accel: string, attempt: number, output: OutputSink): Promise<number> {
  const codes = await Promise.all(lanes.map((lane) => runAva(request, lane, accel, attempt, output)));
  return Math.max(0, ...codes);
}

/** One lane's ava process: its files in its order, only its titles selected. */
async function runAva(request: RunRequest, lane: Lane, accel: string, attempt: number, output: OutputSink): Promise<number> {
  const ava = execa(process.execPath, [avaCli, ...avaArguments(lane.files, lane.titles)], {
    cwd: packageDir,
    stdin: 'inherit',
    reject: false,
    env: { ...avaEnv(request, accel, attempt), ...fileOrderEnv(lane.files), ...(process.stdout.isTTY ? { FORCE_COLOR: '1' } : {}) },
  });
  current.add(ava);
  // Whole lines only, so that the lanes' lines do not cut into each other.
  const stdout = wholeLines((text) => output.print(process.stdout, withoutConfigNotice(text)));
  const stderr = wholeLines((text) => output.print(process.stderr, text));
  ava.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk.toString()));
  ava.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const { exitCode = 1 } = await ava;
  stdout.end();
  stderr.end();
  current.delete(ava);
  return exitCode;
}

/** Passes text on in whole lines; `end` passes on what is left. */
function wholeLines(emit: (text: string) => void): { push(text: string): void; end(): void } {
  let pending = '';
  return {
    push(text) {
      pending += text;
      const cut = pending.lastIndexOf('\n') + 1;
      if (cut === 0) return;
      emit(pending.slice(0, cut));
      pending = pending.slice(cut);
    },
    end() {
      if (pending !== '') emit(pending);
      pending = '';
    },
  };
}

/** ava's arguments (after its CLI) for `files`, one at a time, limited to the titles in `only` when any. */
export function avaArguments(files: string[], only: string[]): string[] {
  const match = only.flatMap((title) => ['--match', title]);
  // One argument: ava's parser would take a separate "--import=..." for an option of its own.
  const imports = `--node-arguments=${preloads.map((m) => `--import=${m}`).join(' ')}`;
  return ['--config', avaConfig, '--verbose', imports, '--concurrency', '1', ...match, ...files];
}

/** ava's own output less its notice that it reads the runner's settings file (it is always so). */
function withoutConfigNotice(text: string): string {
  return text.replace(/^.*Using configuration from .*ava-run\.config\.mjs.*\n/m, '');
}

/** Tells ava-run.config.mjs to start the files in this order. */
export const fileOrderEnv = (files: string[]) => ({ BOOTPROOF_FILE_ORDER: JSON.stringify(files) });

/** A test a machine cannot run is recorded as skipped with the reason, never silently left out. */
async function recordSkips(runDir: string, tests: DeclaredTest[], accel: string): Promise<void> {
  for (const test of tests.filter((t) => t.skip !== undefined)) {
    await appendRecord(runDir, {
      scenario: test.scenario,
      machine: test.machine,
      title: test.title,
      attempt: 1,
      image: { path: '', sha256: '' },
      status: 'skipped',
      skipReason: test.skip,
      startedAt: new Date().toISOString(),
      durationMs: 0,
      phases: {},
      boots: [],
      steps: [],
      accel,
      artifacts: {},
    });
  }
}

/**
 * Rebuilds the report (marked incomplete) whenever a test adds its record, so the page can be read during the run.
 * The returned function stops it and waits for a rebuild in flight, which must not land after the final report.
 */
function rebuildReportWhileRunning(runDir: string): () => Promise<void> {
  let seen = -1;
  let inFlight: Promise<void> | undefined;
  const rebuild = async () => {
    const size = (await stat(recordsFile(runDir)).catch(() => undefined))?.size ?? 0;
    if (size === seen) return;
    seen = size;
    await writeReport(runDir, false).catch(() => undefined);
  };
  const timer = setInterval(() => {
    inFlight ??= rebuild().finally(() => (inFlight = undefined));
  }, 2000);
  return async () => {
    clearInterval(timer);
    await inFlight;
  };
}

async function prepareOutDir(out: string): Promise<void> {
  await mkdir(out, { recursive: true });
  const existing = await readdir(out);
  if (existing.includes('run.json')) {
    throw new UsageError(`${out} already holds a run: choose another --out folder`);
  }
}
