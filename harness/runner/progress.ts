// The live progress line of a run on a terminal: done, passed, failed, running, time left.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readRecords } from '../results/records.ts';
import type { TestRecord } from '../results/model.ts';
import { finalTests } from '../results/final-status.ts';
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

/** Where the runner prints its test processes' output, so that it never runs into the progress line. */
export interface OutputSink {
  print(stream: NodeJS.WritableStream, chunk: Buffer | string): void;
  stop(): void;
}

export const plainOutput: OutputSink = { print: (stream, chunk) => stream.write(chunk), stop: () => undefined };

/**
 * Redraws the line on stderr every second while the run goes on. Other output erases it first and is
 * followed by it again once a whole line is out; stop() erases it for good.
 */
export function showProgress(runDir: string, expected: Expectation, terminal: NodeJS.WritableStream = process.stderr): OutputSink {
  const started = Date.now();
  let line = '';
  let atLineStart = true;
  let drawing = false;
  const draw = async () => {
    if (drawing) return;
    drawing = true;
    const records = await readRecords(runDir);
    const folders = await readdir(join(runDir, 'tests')).catch(() => [] as string[]);
    const recorded = new Set(records.map((r) => r.artifacts.transcript?.split('/')[1]));
    const running = folders.filter((f) => !recorded.has(f) && !f.includes('--attempt'));
    line = progressLine(records, running, Date.now() - started, expected);
    if (atLineStart) terminal.write(`\x1b[2K\r${line}`);
    drawing = false;
  };
  const timer = setInterval(() => void draw(), 1000);
  void draw();
  return {
    print(stream, chunk) {
      if (atLineStart && line) terminal.write('\x1b[2K\r');
      stream.write(chunk);
      atLineStart = chunk.toString().endsWith('\n');
      if (atLineStart && line) terminal.write(line);
    },
    stop() {
      clearInterval(timer);
      line = '';
      terminal.write('\x1b[2K\r');
    },
  };
}

function minutes(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}
