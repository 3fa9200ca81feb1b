import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendFile } from 'node:fs/promises';
import { appendRecord } from '../results/records.ts';
import type { TestRecord } from '../results/model.ts';
import { newRunInfo, writeRunInfo } from '../results/run-info.ts';
import { writeReport } from './write-report.ts';
import { xml } from './junit.ts';
import { testFolder } from '../testdata/test-folder.ts';

const record = (over: Partial<TestRecord>): TestRecord => ({
  scenario: 'boot', machine: 'amd64-bios', title: 'boot on amd64-bios', image: { path: '/x/disk.img', sha256: 'ab' },
  status: 'passed', startedAt: '2026-01-01T00:00:00Z', durationMs: 1500, phases: { firmwareMs: 500 }, boots: [], steps: [],
  accel: 'tcg', artifacts: {}, ...over,
});

test('a run folder that was never finished says complete: false; finishing it says true, in results.json alone', async (t) => {
  const dir = await testFolder(t, 'run');
  await writeRunInfo(dir, newRunInfo('r1', 'tcg', 'test', 'bootproof nightly'));
  await appendRecord(dir, record({}));
  await appendRecord(dir, record({ machine: 'amd64-uefi', title: 'boot on amd64-uefi', status: 'failed', error: { kind: 'WaitTimeout', message: 'timed out <x>' } }));
  await appendFile(join(dir, 'records.jsonl'), '{"scenario": "cut by a cra');
  const partial = await writeReport(dir, false);
  t.false(partial.run.complete);
  t.is(partial.summary.total, 2, 'a line cut by a crash is ignored');
  const done = await writeReport(dir, true);
  t.true(done.run.complete);
  t.truthy(done.run.finishedAt);
  const onDisk = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  t.deepEqual(onDisk.summary, { passed: 1, failed: 1, flaky: 0, skipped: 0, infrastructure: 0, knownFailures: 0, total: 2 });
  t.true(onDisk.run.complete, 'results.json says the run finished');
  const started = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  t.false('complete' in started || 'finishedAt' in started, `run.json, written as the run started, claims nothing of its end: ${JSON.stringify(started)}`);
  const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
  t.regex(junit, /<testsuite name="amd64-uefi" tests="1" failures="1"/);
  t.regex(junit, /<failure message="timed out &lt;x&gt;" type="WaitTimeout">/);
});

test('console text cannot break the XML: escapes and forbidden control characters are removed', (t) => {
  t.is(xml('<script>&"\'\x1b[31m\x07'), '&lt;script&gt;&amp;&quot;&apos;[31m');
});

test('a test that could not run for lack of QEMU or firmware is counted apart from failures', async (t) => {
  const dir = await testFolder(t, 'run');
  await appendRecord(dir, record({ status: 'failed', error: { kind: 'InfrastructureError', message: 'qemu-system-x86_64 not found' } }));
  await appendRecord(dir, record({ machine: 'amd64-uefi', title: 'boot on amd64-uefi', status: 'failed', error: { kind: 'WaitTimeout', message: 'x' } }));
  const results = await writeReport(dir, true);
  t.like(results.summary, { failed: 1, infrastructure: 1, total: 2 });
});
