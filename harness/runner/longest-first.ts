// The order the scenario files start in: longest first by the history, so a run does not end on one long file
// while the other cores idle. Files with a test the history never saw go first: they may be the longest.
import type { Collection } from './collect.ts';
import { cellKey } from './durations.ts';

export interface FileWork {
  file: string;
  /** The tests the file's ava process runs, in its order (skips excluded: they take no time). */
  tests: { scenario: string; machine: string; title: string; expectedMs?: number }[];
  /** The sum of the expected durations the history knows. */
  knownMs: number;
  /** Tests the history has no duration for. */
  unknown: number;
}

/** The files of `collection` with their runnable tests (only those titled in `only`, when given), longest first. */
export function longestFirst(collection: Collection, durations: Map<string, number>, only?: string[]): FileWork[] {
  const work = collection.files.map(({ file }): FileWork => {
    const tests = collection.tests
      .filter((t) => t.file === file && t.skip === undefined && (!only || only.includes(t.title)))
      .map((t) => ({ scenario: t.scenario, machine: t.machine, title: t.title, expectedMs: durations.get(cellKey(t.scenario, t.machine)) }));
    const known = tests.flatMap((t) => (t.expectedMs === undefined ? [] : [t.expectedMs]));
    return { file, tests, knownMs: known.reduce((sum, ms) => sum + ms, 0), unknown: tests.length - known.length };
  });
  // The file name breaks ties, so every run (and every shard) orders alike.
  return work.sort((a, b) => Number(b.unknown > 0) - Number(a.unknown > 0) || b.knownMs - a.knownMs || a.file.localeCompare(b.file, 'en'));
}

/** How long `ordered` takes with `jobs` files at a time, each file starting on the first free job (unknown tests count 0). */
export function wallClockMs(ordered: FileWork[], jobs: number): number {
  const free = Array.from({ length: Math.max(1, jobs) }, () => 0);
  for (const { knownMs } of ordered) {
    const soonest = free.indexOf(Math.min(...free));
    free[soonest] = free[soonest]! + knownMs;
  }
  return Math.max(...free);
}
