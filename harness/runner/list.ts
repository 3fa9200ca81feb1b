// `--list`: every test a run would run, in the order the files start, with what it took the last time; nothing boots.
import { relative } from 'node:path';
import { historyFileFor, readHistory, type HistoryEntry } from '../report/history.ts';
import type { KnownFailure } from '../results/model.ts';
import type { Collection } from './collect.ts';
import { checkedRequest, collectRequest, type RunRequest } from './run.ts';
import { expectedDurations } from './durations.ts';
import { dealingOrder, planLanes, wallClockMs } from './lanes.ts';

export interface ListInput {
  /** "nightly" or "run". */
  command: string;
  collection: Collection;
  history: HistoryEntry[];
  /** Where the history was read (shown). */
  historyFile: string;
  /** The accelerator asked for; undefined (auto) takes the latest runs whatever theirs. */
  accel?: string;
  jobs: number;
  repeat: number;
  slice: string;
  profile: string;
  variant: string;
  shard?: string;
  knownFailures?: KnownFailure[];
  /** YYYY-MM-DD, for the known failures' expiry. */
  today: string;
}

/** What `asked` would run, as --list prints it: the scenario files are loaded, nothing boots, no folder is written. */
export async function listScenarios(asked: RunRequest, command: string): Promise<string[]> {
  return listLines(await listInput(asked, command));
}

/** What `asked` would take by the history: its tests, how many have no history, and the wall time with its jobs. */
export async function projectRun(asked: RunRequest): Promise<{ tests: number; withoutHistory: number; wallMs: number }> {
  const input = await listInput(asked, 'run');
  const lanes = planLanes(input.collection, expectedDurations(input.history, input.accel), input.jobs);
  const tests = lanes.flatMap((lane) => lane.tests);
  return {
    tests: tests.length,
    withoutHistory: tests.filter((t) => t.expectedMs === undefined).length,
    wallMs: wallClockMs(lanes) * input.repeat,
  };
}

async function listInput(asked: RunRequest, command: string): Promise<ListInput> {
  const { request, files, knownFailures } = checkedRequest(asked);
  const collection = await collectRequest(request, files, request.accel);
  const historyFile = historyFileFor(request.out);
  return {
    command,
    collection,
    history: await readHistory(historyFile, request.profile),
    historyFile: relative(process.cwd(), historyFile).startsWith('..') ? historyFile : relative(process.cwd(), historyFile),
    accel: request.accel === 'auto' ? undefined : request.accel,
    jobs: request.jobs,
    repeat: request.repeat,
    slice: request.slice,
    profile: asked.profile,
    variant: request.variant,
    shard: request.shard,
    knownFailures: knownFailures?.entries,
    today: new Date().toISOString().slice(0, 10),
  };
}

/** The lines --list prints: what the run is, where durations come from, a line per test in the order the jobs are dealt them, and the total. */
export function listLines(input: ListInput): string[] {
  const { collection, history, repeat } = input;
  const durations = expectedDurations(history, input.accel);
  const toRun = dealingOrder(collection, durations);
  const skipped = collection.tests.filter((t) => t.skip !== undefined);
  const machines = new Set(collection.tests.map((t) => t.machine));
  const what = [`slice ${input.slice}`, `profile ${input.profile}`, `variant ${input.variant}`, ...(input.shard ? [`shard ${input.shard}`] : [])];
  const times = repeat > 1 ? `, each ${repeat} times` : '';
  const lines = [
    `${input.command}: ${plural(toRun.length, 'test')} to run on ${plural(machines.size, 'machine')}${times}, ${skipped.length} skipped (${what.join(', ')}); nothing is booted`,
    source(input, history),
    '',
  ];
  const rows: [string, string, string][] = [
    ...toRun.map((t): [string, string, string] => [t.machine, t.scenario, (t.expectedMs === undefined ? 'no history' : clock(t.expectedMs)) + known(input, t)]),
    ...skipped.map((t): [string, string, string] => [t.machine, t.scenario, `skipped: ${t.skip}`]),
  ];
  const widths = [0, 1].map((i) => Math.max(i === 0 ? 'machine'.length : 'scenario'.length, ...rows.map((r) => r[i]!.length)));
  const row = ([machine, scenario, expected]: [string, string, string]) => `  ${machine.padEnd(widths[0]!)}  ${scenario.padEnd(widths[1]!)}  ${expected}`;
  lines.push(row(['machine', 'scenario', 'expected']), ...rows.map(row), '');
  lines.push(total(toRun.map((t) => t.expectedMs), wallClockMs(planLanes(collection, durations, input.jobs)) * repeat, input.jobs, repeat, skipped.length));
  return lines;
}

function source(input: ListInput, history: HistoryEntry[]): string {
  if (history.length === 0) return `expected durations: no history in ${input.historyFile} (each whole nightly run adds a line)`;
  const latest = [...history].sort((a, b) => a.startedAt.localeCompare(b.startedAt)).at(-1)!;
  const accel = input.accel ? `, ${input.accel} runs first` : '';
  return `expected durations: each test's latest run in ${input.historyFile} (${plural(history.length, 'run')}, the latest ${latest.startedAt.slice(0, 16).replace('T', ' ')} UTC under ${latest.accel}${accel})`;
}

function total(expected: (number | undefined)[], wallMs: number, jobs: number, repeat: number, skipped: number): string {
  const known = expected.filter((ms): ms is number => ms !== undefined);
  const unknown = expected.length - known.length;
  const sum = known.reduce((a, b) => a + b, 0) * repeat;
  const parts = [`total: ${plural(expected.length, 'test')}`];
  if (known.length === 0) parts.push('time unknown (no history)');
  else {
    const atLeast = unknown > 0 ? 'at least ' : '';
    parts.push(`${atLeast}${clock(sum)} of machine time${unknown > 0 ? ` (${unknown} with no history, unknown)` : ''}`);
    parts.push(`${atLeast}${clock(wallMs)} with ${plural(jobs, 'job')} at a time`);
  }
  parts.push(`${skipped} skipped`);
  return parts.join(', ');
}

function known(input: ListInput, t: { scenario: string; machine: string }): string {
  const entry = input.knownFailures?.find(
    (e) => e.scenario === t.scenario && (e.machine === '*' || e.machine === t.machine) && input.today <= e.expires,
  );
  return entry ? `  (known failure until ${entry.expires}: ${entry.reason})` : '';
}

/** 14_000 → "0m14s", 6_240_000 → "1h44m00s". */
export function clock(ms: number): string {
  const s = Math.round(ms / 1000);
  const m = `${Math.floor(s / 60) % 60}m${String(s % 60).padStart(2, '0')}s`;
  return s >= 3600 ? `${Math.floor(s / 3600)}h${m.padStart(6, '0')}` : m;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
