// The nightly history: one summary line per nightly run, and what changed since the previous one.
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Phases, Results, RunInfo, TestStatus } from '../results/model.ts';
import { defaultProfile } from '../results/run-info.ts';

export interface HistoryTest {
  scenario: string;
  machine: string;
  status: TestStatus;
  /** A failure the known-failures file expected. */
  known?: boolean;
  /** Phases of the test's first boot. */
  phases: Phases;
  /** The whole test, for estimating how long the next run has left. */
  durationMs?: number;
}

export interface HistoryEntry {
  runId: string;
  startedAt: string;
  accel: string;
  /** The run's profile; absent: fixture. The runs of one profile are compared with each other only. */
  profile?: string;
  tests: HistoryTest[];
}

export interface TestKey {
  scenario: string;
  machine: string;
}

export const phaseNames = ['firmware', 'loader', 'kernel', 'userland'] as const;
export type PhaseName = (typeof phaseNames)[number];

export interface PhaseGrowth extends TestKey {
  phase: PhaseName;
  previousMs: number;
  currentMs: number;
}

export interface Comparison {
  previous?: { runId: string; startedAt: string; accel: string };
  newFailures: TestKey[];
  fixed: TestKey[];
  stillFailing: TestKey[];
  /** Failures the known-failures file expected: neither new nor still failing. */
  knownFailures: TestKey[];
  flaky: TestKey[];
  slowerPhases: PhaseGrowth[];
  /** False when the previous run used another accelerator: its timings say nothing about this one's. */
  timingsCompared: boolean;
}

/** A phase counts as slower when it grew by more than `ratio` of its old duration and by at least `minMs`. */
export interface GrowthThreshold {
  ratio: number;
  minMs: number;
}

export const defaultGrowthThreshold: GrowthThreshold = { ratio: 0.25, minMs: 2000 };

/** The history file of the run folders beside `runDir` (reports/nightly-X → reports/history.jsonl). */
export const historyFileFor = (runDir: string) => join(dirname(runDir), 'history.jsonl');

/** Whether a run belongs in the history: a whole nightly, or nightly shards merged (their commands joined by " ; "), not a lone shard. */
export function belongsInHistory(run: RunInfo): boolean {
  const commands = run.command.split(' ; ');
  if (!commands.some((command) => /^bootproof nightly\b/.test(command))) return false;
  if (/\s--slice[ =]ci\b/.test(run.command)) return false;
  return commands.length > 1 || !/\s--shard\b/.test(run.command);
}

export const phaseMs = (phases: Phases, phase: PhaseName): number | undefined => phases[`${phase}Ms`];

/** Firmware to shell of one boot, or undefined when the boot recorded no phase. */
export function bootTotalMs(phases: Phases): number | undefined {
  const known = phaseNames.map((p) => phaseMs(phases, p)).filter((ms): ms is number => ms !== undefined);
  return known.length > 0 ? known.reduce((sum, ms) => sum + ms, 0) : undefined;
}

/** The history line that summarises a run's results. */
export function historyEntry(results: Results): HistoryEntry {
  return {
    runId: results.run.id,
    startedAt: results.run.startedAt,
    accel: results.run.accel,
    profile: results.run.profile ?? defaultProfile,
    tests: results.tests.map((t) => ({
      scenario: t.scenario,
      machine: t.machine,
      status: t.status,
      ...(t.knownFailure ? { known: true } : {}),
      phases: t.phases,
      durationMs: t.durationMs,
    })),
  };
}

/**
 * Reads every complete history line of runs through `profile`; a missing file is an empty history, a line cut by
 * a crash is ignored.
 */
export async function readHistory(historyFile: string, profile = defaultProfile): Promise<HistoryEntry[]> {
  const entries = parseHistory(await readFile(historyFile, 'utf8').catch(() => ''));
  return entries.filter((entry) => (entry.profile ?? defaultProfile) === profile);
}

function parseHistory(text: string): HistoryEntry[] {
  return text.split('\n').flatMap((line) => {
    if (line.trim() === '') return [];
    try {
      return [JSON.parse(line) as HistoryEntry];
    } catch {
      return [];
    }
  });
}

/**
 * Appends the run's summary line; returns false without writing when the run is incomplete (an interrupted
 * nightly would read as a wave of failures) or already in the history (so rebuilding a report is harmless).
 */
export async function appendHistory(historyFile: string, results: Results): Promise<boolean> {
  if (!results.run.complete) return false;
  const text = await readFile(historyFile, 'utf8').catch(() => '');
  if (parseHistory(text).some((entry) => entry.runId === results.run.id)) return false;
  await mkdir(dirname(historyFile), { recursive: true });
  // One line in one write, so concurrent appenders cannot interleave inside it; a line cut by a crash is closed first.
  const cut = text !== '' && !text.endsWith('\n');
  await appendFile(historyFile, (cut ? '\n' : '') + JSON.stringify(historyEntry(results)) + '\n');
  return true;
}

/** The latest run in `history` that started before `current` (and is not `current` itself). */
export function previousEntry(history: HistoryEntry[], current: HistoryEntry): HistoryEntry | undefined {
  return history
    .filter((entry) => entry.runId !== current.runId && entry.startedAt < current.startedAt)
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt))
    .at(-1);
}

/** What changed between the previous run in `history` and `current`: failures, fixes, flakes and slower boot phases. */
export function compareWithPrevious(
  history: HistoryEntry[],
  current: HistoryEntry,
  threshold: GrowthThreshold = defaultGrowthThreshold,
): Comparison {
  const flaky = current.tests.filter((t) => t.status === 'flaky').map(key);
  const knownFailures = current.tests.filter((t) => t.status === 'failed' && t.known).map(key);
  const previous = previousEntry(history, current);
  if (!previous) return { newFailures: [], fixed: [], stillFailing: [], knownFailures, flaky, slowerPhases: [], timingsCompared: false };

  const before = new Map(previous.tests.map((t) => [keyString(t), t]));
  const comparison: Comparison = {
    previous: { runId: previous.runId, startedAt: previous.startedAt, accel: previous.accel },
    newFailures: [],
    fixed: [],
    stillFailing: [],
    knownFailures,
    flaky,
    slowerPhases: [],
    timingsCompared: previous.accel === current.accel,
  };
  for (const test of current.tests) {
    const old = before.get(keyString(test));
    const failedBefore = old?.status === 'failed';
    if (test.status === 'failed' && !test.known) (failedBefore ? comparison.stillFailing : comparison.newFailures).push(key(test));
    else if (failedBefore && (test.status === 'passed' || test.status === 'flaky')) comparison.fixed.push(key(test));
    if (old && comparison.timingsCompared) comparison.slowerPhases.push(...grownPhases(old, test, threshold));
  }
  return comparison;
}

function grownPhases(old: HistoryTest, test: HistoryTest, threshold: GrowthThreshold): PhaseGrowth[] {
  return phaseNames.flatMap((phase) => {
    const previousMs = phaseMs(old.phases, phase);
    const currentMs = phaseMs(test.phases, phase);
    if (previousMs === undefined || currentMs === undefined) return [];
    const grown = currentMs - previousMs > previousMs * threshold.ratio && currentMs - previousMs >= threshold.minMs;
    return grown ? [{ ...key(test), phase, previousMs, currentMs }] : [];
  });
}

const key = (t: TestKey): TestKey => ({ scenario: t.scenario, machine: t.machine });
const keyString = (t: TestKey) => `${t.scenario}\n${t.machine}`;
