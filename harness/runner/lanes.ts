// How a run spreads its tests over its jobs. Each job is a lane: one ava process that runs its share of the tests one
// after another. Tests are dealt longest first by the history, each to the lane with the least work so far, so the
// machines of one long scenario file run side by side and the run does not end on one long lane. Tests the history
// never saw are dealt first, those of the longest time limit first: they may be the longest.
import type { Collection } from './collect.ts';
import { cellKey } from './durations.ts';
import { avaSkipTitle } from '../scenario/skip-title.ts';

export interface PlannedTest {
  file: string;
  scenario: string;
  machine: string;
  title: string;
  expectedMs?: number;
  /** The scenario's time limit. */
  limitMs: number;
}

export interface Lane {
  /** In the order they were dealt: the lane's files start in the order of their first test here. */
  tests: PlannedTest[];
  files: string[];
  /** The titles ava selects in this lane (--match): its tests, and in the first lane the skips, so ava shows them. */
  titles: string[];
  /** The sum of the expected durations the history knows. */
  knownMs: number;
}

/**
 * What a test the history never saw weighs when the lanes are balanced: its time limit, scaled by the median share of
 * their limits the known tests took (without any known test, the limits alone weigh the tests against each other).
 */
function guessMs(test: PlannedTest, known: PlannedTest[]): number {
  const shares = known.filter((k) => k.limitMs > 0).map((k) => k.expectedMs! / k.limitMs).sort((a, b) => a - b);
  return shares.length > 0 ? test.limitMs * shares[Math.floor((shares.length - 1) / 2)]! : test.limitMs;
}

/** The runnable tests of `collection` (only those titled in `only`, when given) in the order they are dealt. */
export function dealingOrder(collection: Collection, durations: Map<string, number>, only?: string[]): PlannedTest[] {
  const tests: PlannedTest[] = collection.tests
    .filter((t) => t.skip === undefined && (!only || only.includes(t.title)))
    .map((t) => ({
      file: t.file, scenario: t.scenario, machine: t.machine, title: t.title,
      expectedMs: durations.get(cellKey(t.scenario, t.machine)), limitMs: t.timeoutMinutes * 60_000,
    }));
  // The title breaks ties, so every run (and every shard) deals alike.
  const unknown = (t: PlannedTest) => Number(t.expectedMs === undefined);
  tests.sort(
    (a, b) =>
      unknown(b) - unknown(a) || (b.expectedMs ?? b.limitMs) - (a.expectedMs ?? a.limitMs) || a.title.localeCompare(b.title, 'en'),
  );
  return tests;
}

/** The runnable tests of `collection` (only those titled in `only`, when given) dealt over `jobs` lanes; empty lanes are left out. */
export function planLanes(collection: Collection, durations: Map<string, number>, jobs: number, only?: string[]): Lane[] {
  const tests = dealingOrder(collection, durations, only);
  const known = tests.filter((t) => t.expectedMs !== undefined);
  const lanes = Array.from({ length: Math.max(1, jobs) }, () => ({ tests: [] as PlannedTest[], load: 0 }));
  for (const test of tests) {
    const lightest = lanes.reduce((best, lane) => (lane.load < best.load ? lane : best));
    lightest.tests.push(test);
    lightest.load += test.expectedMs ?? guessMs(test, known);
  }
  const planned = lanes.filter((lane) => lane.tests.length > 0).map(({ tests }) => laneOf(tests));
  if (only) return planned;
  // ava shows a skipped test as skipped only if it selects it.
  const skips = collection.tests.filter((t) => t.skip !== undefined);
  if (skips.length > 0) {
    const first = planned[0] ?? laneOf([]);
    first.titles.push(...skips.map((t) => avaSkipTitle(t.title, t.skip!)));
    for (const file of skips.map((t) => t.file)) if (!first.files.includes(file)) first.files.push(file);
    if (planned.length === 0) planned.push(first);
  }
  return planned;
}

function laneOf(tests: PlannedTest[]): Lane {
  const known = tests.flatMap((t) => (t.expectedMs === undefined ? [] : [t.expectedMs]));
  return {
    tests,
    files: [...new Set(tests.map((t) => t.file))],
    titles: tests.map((t) => t.title),
    knownMs: known.reduce((sum, ms) => sum + ms, 0),
  };
}

/** How long the lanes take side by side (tests the history never saw count 0). */
export function wallClockMs(lanes: Lane[]): number {
  return Math.max(0, ...lanes.map((lane) => lane.knownMs));
}
