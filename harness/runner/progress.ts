// The live progress line of a run on a terminal: done, passed, failed, running, time left.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readRecords, type TestRecord } from '../report/record.ts';
import { finalTests } from '../report/final-status.ts';
import type { HistoryEntry } from '../report/history.ts';

/** What the previous comparable run took, test by test. */
export type Expectation = Map<string, number>;

export function expectationFrom(previous: HistoryEntry | undefined): Expectation {
  const expected: Expectation = new Map();
  for (const t of previous?.tests ?? []) if (t.durationMs !== undefined) expected.set(`${t.scenario}--${t.machine}`, t.durationMs);
  return expected;
}

/** One status line from the records so far and the test folders that have no record yet (running). */
export function progressLine(records: TestRecord[], running: string[], elapsedMs: number, expected: Expectation): string {
  const tests = finalTests(records);
  const count = (status: TestRecord['status']) => tests.filter((t) => t.status === status).length;
  const parts = [`${tests.length} done: ${count('passed')} passed, ${count('failed')} failed, ${count('flaky')} flaky`];
  if (running.length > 0) parts.push(`running ${running.join(', ')}`);
  parts.push(`${minutes(elapsedMs)} elapsed`);
  if (expected.size > 0) {
    const done = new Set(tests.map((t) => `${t.scenario.replace(':', '--')}--${t.machine}`));
    const left = [...expected].filter(([key]) => !done.has(key)).reduce((sum, [, ms]) => sum + ms, 0);
    parts.push(`about ${minutes(left)} left (by the last run)`);
  }
  return parts.join(' · ');
}

/** Redraws the line on stderr every second while the run goes on; the returned function clears it. */
export function showProgress(runDir: string, expected: Expectation): () => void {
  const started = Date.now();
  let drawing = false;
  const draw = async () => {
    if (drawing) return;
    drawing = true;
    const records = await readRecords(runDir);
    const folders = await readdir(join(runDir, 'tests')).catch(() => [] as string[]);
    const recorded = new Set(records.map((r) => r.artifacts.transcript?.split('/')[1]));
    const running = folders.filter((f) => !recorded.has(f) && !f.includes('--attempt'));
    process.stderr.write(`\x1b[2K\r${progressLine(records, running, Date.now() - started, expected)}`);
    drawing = false;
  };
  const timer = setInterval(() => void draw(), 1000);
  return () => {
    clearInterval(timer);
    process.stderr.write('\x1b[2K\r');
  };
}

function minutes(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}
