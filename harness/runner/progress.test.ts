import test from 'ava';
import { PassThrough } from 'node:stream';
import { expectationFrom, progressLine, showProgress } from './progress.ts';
import type { TestRecord } from '../results/model.ts';
import { testFolder } from '../testdata/test-folder.ts';

const record = (scenario: string, machine: string, status: TestRecord['status'], attempt = 1): TestRecord => ({
  scenario, machine, title: `${scenario} on ${machine}`, attempt, image: { path: '', sha256: '' }, status,
  startedAt: '', durationMs: 1, phases: {}, boots: [], steps: [], accel: 'tcg', artifacts: {},
});

test('the line counts finished tests (a retry folded in), names the running ones and estimates the time left', (t) => {
  const expected = expectationFrom({
    runId: 'prev', startedAt: '', accel: 'tcg',
    tests: [
      { scenario: 'boot', machine: 'amd64-bios', status: 'passed', phases: {}, durationMs: 20_000 },
      { scenario: 'upgrade', machine: 'amd64-bios', status: 'passed', phases: {}, durationMs: 100_000 },
      { scenario: 'failover', machine: 'amd64-uefi', status: 'passed', phases: {}, durationMs: 120_000 },
    ],
  });
  const records = [record('boot', 'amd64-bios', 'failed'), record('boot', 'amd64-bios', 'passed', 2)];
  t.is(
    progressLine(records, ['upgrade--amd64-bios'], 65_000, expected),
    '1 done: 0 passed, 0 failed, 1 flaky · running upgrade--amd64-bios · 1m05s elapsed · about 3m40s left (by the last run)',
  );
});

test('without a previous run there is no estimate', (t) => {
  t.is(progressLine([], [], 0, expectationFrom(undefined)), '0 done: 0 passed, 0 failed, 0 flaky · 0m00s elapsed');
});

test("on a terminal, a test process's output erases the progress line first and is never glued to it", async (t) => {
  let screen = '';
  const terminal = new PassThrough();
  terminal.on('data', (chunk: Buffer) => (screen += chunk.toString()));
  const sink = showProgress(await testFolder(t, 'progress'), expectationFrom(undefined), terminal);
  while (!screen.includes('elapsed')) await new Promise((resolve) => setTimeout(resolve, 10));
  sink.print(terminal, '  ✔ boot on amd64-bios\n');
  sink.stop();
  t.regex(screen, /elapsed\x1b\[2K\r  ✔ boot on amd64-bios\n0 done/, 'the line is erased, the output printed on its own line, the line drawn again');
  t.true(screen.endsWith('\x1b[2K\r'), 'stopping erases the line');
});
