import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import { parseKnownFailures } from './known-failures-file.ts';
import { expectedFailure, reviewKnownFailures } from '../results/known-failures.ts';
import type { KnownFailure, TestRecord } from '../results/model.ts';
import { appendRecord } from '../results/records.ts';
import { writeRunInfo } from '../results/run-info.ts';
import { writeReport } from '../report/write-report.ts';
import { compareWithPrevious, historyEntry } from '../report/history.ts';
import { testFolder } from '../testdata/test-folder.ts';

const record = (scenario: string, machine: string, status: TestRecord['status'], message = 'timed out waiting for the shell prompt'): TestRecord => ({
  scenario, machine, title: `${scenario} on ${machine}`, image: { path: '/x/disk.img', sha256: 'ab' }, status,
  startedAt: '2026-11-20T01:00:00.000Z', durationMs: 1000, phases: {}, boots: [], steps: [], accel: 'tcg',
  ...(status === 'failed' ? { error: { kind: 'WaitTimeout', message } } : {}),
  artifacts: {},
});

const entry = (over: Partial<KnownFailure> = {}): KnownFailure => ({
  scenario: 'upgrade', machine: 'amd64-uefi', reason: 'OVMF loses the boot entry after the flip', expires: '2026-12-31', ...over,
});

test('a failure of the named scenario and machine is expected until the end of its expiry day', (t) => {
  const failed = record('upgrade', 'amd64-uefi', 'failed');
  t.truthy(expectedFailure(failed, [entry()], '2026-11-20'));
  t.truthy(expectedFailure(failed, [entry()], '2026-12-31'), 'still expected on the expiry date');
  t.is(expectedFailure(failed, [entry()], '2027-01-01'), undefined, 'expired: a failure again');
  t.is(expectedFailure(record('upgrade', 'amd64-bios', 'failed'), [entry()], '2026-11-20'), undefined, 'another machine');
  t.is(expectedFailure(record('failover', 'amd64-uefi', 'failed'), [entry()], '2026-11-20'), undefined, 'another scenario');
  t.truthy(expectedFailure(record('upgrade', 'amd64-bios', 'failed'), [entry({ machine: '*' })], '2026-11-20'), '"*" is every machine');
  t.is(expectedFailure(record('upgrade', 'amd64-uefi', 'passed'), [entry()], '2026-11-20'), undefined);
});

test('an entry with a failure pattern does not hide a different failure of the same test', (t) => {
  const known = [entry({ failure: 'cannot boot hd0e' })];
  t.truthy(expectedFailure(record('upgrade', 'amd64-uefi', 'failed', 'loader said: cannot boot hd0e: no kernel'), known, '2026-11-20'));
  t.is(expectedFailure(record('upgrade', 'amd64-uefi', 'failed', 'timed out waiting for the shell prompt'), known, '2026-11-20'), undefined);
});

test('a host that cannot run the machine is never excused as a known failure', (t) => {
  const infra = { ...record('upgrade', 'amd64-uefi', 'failed'), error: { kind: 'InfrastructureError', message: 'OVMF missing' } };
  t.is(expectedFailure(infra, [entry()], '2026-11-20'), undefined);
});

test('the review lists expired entries whose test still fails and entries whose test now passes', (t) => {
  const tests = [record('upgrade', 'amd64-uefi', 'failed'), record('boot', 'amd64-bios', 'passed')];
  const review = reviewKnownFailures(tests, [entry({ expires: '2026-11-01' }), entry({ scenario: 'boot', machine: 'amd64-bios' })], '2026-11-20');
  t.deepEqual(review.expired.map((e) => e.title), ['upgrade on amd64-uefi']);
  t.deepEqual(review.nowPassing.map((e) => e.title), ['boot on amd64-bios']);
});

test('a bad known-failures file is refused with the file, the key and the fix', (t) => {
  const file = 'known-failures.json';
  const machines = ['amd64-bios', 'amd64-uefi'];
  const bad = (raw: unknown) => t.throws(() => parseKnownFailures(file, raw, machines), { instanceOf: UsageError })?.message ?? '';
  t.regex(bad({ knownFailures: [{ ...entry(), expires: '31/12/2026' }] }), /knownFailures\[0\]\.expires: expected a date as YYYY-MM-DD, got "31\/12\/2026"/);
  t.regex(bad({ knownFailures: [{ ...entry(), expires: '2026-02-30' }] }), /expected a date as YYYY-MM-DD/);
  t.regex(bad({ knownFailures: [{ scenario: 'upgrade', machine: 'amd64-uefi', expires: '2026-12-31' }] }), /knownFailures\[0\]\.reason: expected a non-empty string/);
  t.regex(bad({ knownFailures: [{ ...entry(), expiry: '2026-12-31' }] }), /unknown key "knownFailures\[0\]\.expiry"/);
  t.regex(bad({ knownFailures: [{ ...entry(), failure: '(' }] }), /knownFailures\[0\]\.failure: not a valid regular expression/);
  t.regex(bad({ knownFailures: [{ ...entry(), machine: 'amd64-bois' }] }), /knownFailures\[0\]\.machine: unknown machine "amd64-bois": choose one of amd64-bios, amd64-uefi or "\*"/);
  t.deepEqual(parseKnownFailures(file, { knownFailures: [entry(), entry({ machine: '*' })] }, machines), [entry(), entry({ machine: '*' })]);
  const $schema = './node_modules/bootproof/schemas/known-failures.schema.json';
  t.deepEqual(parseKnownFailures(file, { $schema, knownFailures: [entry()] }, machines), [entry()], 'a "$schema" key for editors is accepted');
  t.is(bad({ knownFailures: { upgrade: entry() } }), 'known-failures.json: knownFailures: expected an array of objects, got {"upgrade":{"scenario":"upgrade","machine":"amd64-uefi","... (object)');
});

test('the report counts known failures apart, shows their reason, and JUnit reads them as skipped', async (t) => {
  const dir = await testFolder(t, 'known');
  await writeRunInfo(dir, {
    id: dir, startedAt: '2026-11-20T01:00:00.000Z', accel: 'tcg', host: 'h', command: 'bootproof nightly',
    knownFailures: { file: '/repo/known-failures.json', entries: [entry(), entry({ scenario: 'boot', machine: 'amd64-bios' })] },
  });
  for (const r of [record('upgrade', 'amd64-uefi', 'failed'), record('upgrade', 'amd64-bios', 'failed'), record('boot', 'amd64-bios', 'passed')]) {
    await appendRecord(dir, r);
  }
  const results = await writeReport(dir, true);
  t.like(results.summary, { passed: 1, failed: 1, knownFailures: 1, total: 3 });
  t.deepEqual(results.tests.find((x) => x.title === 'upgrade on amd64-uefi')?.knownFailure, { reason: entry().reason, expires: '2026-12-31' });
  t.is(results.tests.find((x) => x.title === 'upgrade on amd64-bios')?.knownFailure, undefined, 'a new failure stays a failure');
  t.deepEqual(results.knownFailureReview?.nowPassing.map((e) => e.title), ['boot on amd64-bios']);

  const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
  t.regex(junit, /<testsuite name="amd64-uefi" tests="1" failures="0" errors="0" skipped="1"/);
  t.regex(junit, /<skipped message="known failure \(OVMF loses the boot entry after the flip; expires 2026-12-31\): timed out/);
  t.regex(junit, /<testsuite name="amd64-bios" tests="2" failures="1"/);

  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  t.regex(html, /<span class="count known-failure">1 known failure<\/span>/);
  t.regex(html, /<td class="cell known-failure">/);
  t.regex(html, /Known failure, expected until 2026-12-31: OVMF loses the boot entry after the flip/);
  t.regex(html, /boot on amd64-bios: passed; remove its entry/);
  t.regex(html, /<section id="failures"><h2>Failures<\/h2><ul class="failures"><li><a href="#[^"]+">upgrade on amd64-bios<\/a>/);

  const current = historyEntry(results);
  const previous = { ...current, runId: 'earlier', startedAt: '2026-11-19T01:00:00.000Z', tests: current.tests.map((x) => ({ ...x, status: 'passed' as const, known: undefined })) };
  const comparison = compareWithPrevious([previous, current], current);
  t.deepEqual(comparison.newFailures, [{ scenario: 'upgrade', machine: 'amd64-bios' }], 'only the unexpected failure is new');
  t.deepEqual(comparison.knownFailures, [{ scenario: 'upgrade', machine: 'amd64-uefi' }]);
});
