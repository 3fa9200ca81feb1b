import test from 'ava';
import { finalTests } from './final-status.ts';
import { failedTitles } from '../runner/retries.ts';
import type { TestRecord } from './model.ts';

const record = (title: string, status: TestRecord['status'], attempt?: number): TestRecord => ({
  scenario: title.split(' ')[0]!, machine: 'amd64-bios', title, attempt, image: { path: '', sha256: '' }, status,
  startedAt: '', durationMs: 1, phases: {}, boots: [], steps: [], accel: 'tcg', artifacts: {},
});

test('a test that passes on retry after failing is flaky, never passed', (t) => {
  const tests = finalTests([record('boot on x', 'failed', 1), record('boot on x', 'passed', 2)]);
  t.is(tests.length, 1);
  t.is(tests[0]!.status, 'flaky');
  t.deepEqual(tests[0]!.earlierAttempts?.map((a) => a.status), ['failed']);
});

test('a test that fails every attempt stays failed, and one that passes at once is passed', (t) => {
  const tests = finalTests([record('a on x', 'failed'), record('b on x', 'passed'), record('a on x', 'failed', 2)]);
  t.deepEqual(tests.map((x) => [x.title, x.status]), [['a on x', 'failed'], ['b on x', 'passed']]);
  t.deepEqual(failedTitles([record('a on x', 'failed'), record('b on x', 'passed')]), ['a on x']);
});

test('a repetition that fails after a pass makes the test flaky too', (t) => {
  const tests = finalTests([record('boot on x', 'passed', 1), record('boot on x', 'failed', 2), record('boot on x', 'passed', 3)]);
  t.is(tests[0]!.status, 'flaky');
  t.deepEqual(failedTitles([record('boot on x', 'passed', 1), record('boot on x', 'failed', 2)]), [], 'flaky, so no retry');
});
