import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { listLines, type ListInput } from './list.ts';
import type { Collection } from './collect.ts';
import { collectedTest } from './testdata/collected-test.ts';
import type { HistoryEntry } from '../report/history.ts';
import { bootproof } from '../cli/testdata/bootproof.ts';
import { testFolder } from '../testdata/test-folder.ts';

/** Two runs of the CI slice under TCG on a 2-core host, as recorded. */
const recorded = new URL('./testdata/history.jsonl', import.meta.url);
const history = readFileSync(recorded, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as HistoryEntry);

const cell = collectedTest;
const collection: Collection = {
  files: [{ file: '/s/boot.test.ts', scenarios: ['boot', 'boot-to-loader'] }, { file: '/s/power-cut.test.ts', scenarios: ['power-cut'] }],
  tests: [
    cell('/s/boot.test.ts', 'boot', 'amd64-bios'),
    cell('/s/boot.test.ts', 'boot', 'macppc-ofw', 'needs a shell; macppc-ofw boots only to the loader'),
    cell('/s/boot.test.ts', 'boot-to-loader', 'macppc-ofw'),
    cell('/s/power-cut.test.ts', 'power-cut', 'amd64-bios'),
    cell('/s/power-cut.test.ts', 'power-cut:catches-unsafe-upgrade', 'amd64-bios'),
    cell('/s/power-cut.test.ts', 'power-cut', 'ppc64-ofw'),
  ],
};
const input: ListInput = {
  command: 'nightly', collection, history, historyFile: 'reports/history.jsonl', jobs: 2, repeat: 1,
  slice: 'full', profile: 'fixture', variant: 'normal', today: '2026-12-01',
};

test('--list shows each test in the order the jobs are dealt them, what it took the last time, each skip with its reason, and the total', (t) => {
  t.deepEqual(listLines(input), [
    'nightly: 5 tests to run on 3 machines, 1 skipped (slice full, profile fixture, variant normal); nothing is booted',
    "expected durations: each test's latest run in reports/history.jsonl (2 runs, the latest 2026-12-01 11:26 UTC under tcg)",
    '',
    '  machine     scenario                          expected',
    '  ppc64-ofw   power-cut                         no history',
    '  amd64-bios  power-cut                         2m37s',
    '  amd64-bios  power-cut:catches-unsafe-upgrade  0m22s',
    '  amd64-bios  boot                              0m14s',
    '  macppc-ofw  boot-to-loader                    0m07s',
    '  macppc-ofw  boot                              skipped: needs a shell; macppc-ofw boots only to the loader',
    '',
    'total: 5 tests, at least 3m19s of machine time (1 with no history, unknown), at least 2m37s with 2 jobs at a time, 1 skipped',
  ]);
});

test('--list without a history says so for every test and leaves the time unknown', (t) => {
  const lines = listLines({ ...input, history: [] });
  t.is(lines[1], 'expected durations: no history in reports/history.jsonl (each whole nightly run adds a line)');
  t.deepEqual(lines.filter((l) => l.endsWith('no history')).length, 5);
  t.is(lines.at(-1), 'total: 5 tests, time unknown (no history), 1 skipped');
});

test('--list with --repeat counts each test that often, and marks a known failure', (t) => {
  const known = [{ scenario: 'boot', machine: '*', reason: 'SeaBIOS hangs (#12)', expires: '2026-12-31' }];
  const lines = listLines({ ...input, collection: { ...collection, tests: collection.tests.slice(0, 3) }, repeat: 3, knownFailures: known });
  t.is(lines[0], 'nightly: 2 tests to run on 2 machines, each 3 times, 1 skipped (slice full, profile fixture, variant normal); nothing is booted');
  t.true(lines.includes('  amd64-bios  boot            0m14s  (known failure until 2026-12-31: SeaBIOS hangs (#12))'), lines.join('\n'));
  t.is(lines.at(-1), 'total: 2 tests, 1m01s of machine time, 0m41s with 2 jobs at a time, 1 skipped', 'the two tests of one file run side by side');
});

test.serial('nightly --list and run --list load the scenarios, read the history beside the report folder, and write nothing', async (t) => {
  const root = await testFolder(t, 'list');
  await mkdir(join(root, 'reports'));
  await copyFile(recorded, join(root, 'reports', 'history.jsonl'));
  const out = join(root, 'reports', 'nightly-next');
  const nightly = await bootproof('nightly', '--list', '--slice', 'ci', '-j', '2', '--out', out);
  t.is(nightly.code, 0, nightly.err);
  const [fixtureLeg, openbsdLeg] = nightly.out.split(/^(?=nightly: profile )/m);
  t.is(fixtureLeg!.split('\n')[0], 'nightly: profile fixture, every machine');
  const lines = fixtureLeg!.trim().split('\n').slice(1);
  t.regex(lines[0]!, /^nightly: \d+ tests to run on 7 machines, 0 skipped \(slice ci, profile fixture, variant normal\); nothing is booted$/);
  t.true(lines[1]!.startsWith(`expected durations: each test's latest run in ${join(root, 'reports', 'history.jsonl')} (2 runs,`));
  t.true(lines.some((l) => /^ {2}amd64-bios +power-cut +2m37s$/.test(l)), nightly.out);
  t.regex(lines.at(-1)!, /^total: \d+ tests, .* of machine time.*, .* with 2 jobs at a time, 0 skipped$/);
  const openbsdLines = openbsdLeg!.trim().split('\n');
  t.is(openbsdLines[0], 'nightly: profile openbsd-resflash on amd64-bios, amd64-uefi', 'the OpenBSD profile runs after the fixture\'s, on its machines');
  t.regex(openbsdLines[1]!, /^nightly: \d+ tests to run on 2 machines, \d+ skipped \(slice ci, profile openbsd-resflash, variant normal\); nothing is booted$/);
  t.false(existsSync(out), 'no report folder');
  t.false(existsSync(`${out}-openbsd-resflash`), 'no report folder for the OpenBSD profile');
  t.deepEqual(await readdir(join(root, 'reports')), ['history.jsonl']);

  const run = await bootproof('run', '--list', '--machine', 'amd64-bios,macppc-ofw', '--scenario', 'boot', '--out', out);
  t.is(run.code, 0, run.err);
  t.true(run.out.split('\n').some((l) => /^ {2}macppc-ofw +boot +skipped: needs a shell; macppc-ofw boots only to the loader$/.test(l)), run.out);
  t.false(existsSync(out));
});

test.serial('--list refuses the options that act after a failure, since nothing runs', async (t) => {
  const { code, err } = await bootproof('nightly', '--list', '--retries', '2', '--keep-on-failure');
  t.is(code, 2);
  t.is(err, 'bootproof: --list runs nothing, so --retries and --keep-on-failure (what happens after a failure) would do nothing: drop them');
});
