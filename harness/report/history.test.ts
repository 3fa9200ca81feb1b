import test from 'ava';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  appendHistory,
  belongsInHistory,
  compareWithPrevious,
  historyFileFor,
  readHistory,
  type HistoryEntry,
  type HistoryTest,
} from './history.ts';
import { bootTimeSeries } from './html/boot-time-chart.ts';
import type { Results } from '../results/model.ts';
import { testFolder } from '../testdata/test-folder.ts';

const phases = { firmwareMs: 4000, loaderMs: 3000, kernelMs: 9000, userlandMs: 700 };
const run = (runId: string, startedAt: string, tests: Partial<HistoryTest>[], accel = 'tcg'): HistoryEntry => ({
  runId,
  startedAt,
  accel,
  tests: tests.map((t) => ({ scenario: 'boot', machine: 'amd64-bios', status: 'passed', phases, ...t })),
});

test('compareWithPrevious sorts tests into new failures, fixed, still failing and flaky', (t) => {
  const previous = run('n1', '2026-01-01T00:00:00Z', [
    { scenario: 'boot' },
    { scenario: 'upgrade', status: 'failed' },
    { scenario: 'failover', status: 'failed' },
    { scenario: 'cfg-persistence', status: 'failed' },
  ]);
  const current = run('n2', '2026-01-02T00:00:00Z', [
    { scenario: 'boot', status: 'failed' },
    { scenario: 'upgrade', status: 'passed' },
    { scenario: 'failover', status: 'failed' },
    { scenario: 'cfg-persistence', status: 'skipped' },
    { scenario: 'bad-upgrade', status: 'flaky' },
    { scenario: 'boot-conf', status: 'failed' },
  ]);
  const c = compareWithPrevious([previous], current);
  const names = (keys: { scenario: string }[]) => keys.map((k) => k.scenario);
  t.deepEqual(c.previous, { runId: 'n1', startedAt: '2026-01-01T00:00:00Z', accel: 'tcg' });
  t.deepEqual(names(c.newFailures), ['boot', 'boot-conf'], 'a test new in this run that fails is a new failure');
  t.deepEqual(names(c.fixed), ['upgrade'], 'a failure now skipped is not called fixed');
  t.deepEqual(names(c.stillFailing), ['failover']);
  t.deepEqual(names(c.flaky), ['bad-upgrade']);
  t.deepEqual(c.newFailures[0], { scenario: 'boot', machine: 'amd64-bios' });
});

test('a phase is slower only when it grew by more than 25 % and by at least 2 s', (t) => {
  const previous = run('n1', '2026-01-01T00:00:00Z', [
    { scenario: 'boot', phases: { firmwareMs: 4000, loaderMs: 3000, kernelMs: 20000, userlandMs: 700 } },
  ]);
  const current = run('n2', '2026-01-02T00:00:00Z', [
    // firmware +50 % and +2 s: slower. loader +66 % but +2 s only just: slower. kernel +2.5 s but +12.5 %: not.
    // userland +200 % but +1.4 s: not.
    { scenario: 'boot', phases: { firmwareMs: 6000, loaderMs: 5000, kernelMs: 22500, userlandMs: 2100 } },
  ]);
  const slower = compareWithPrevious([previous], current).slowerPhases;
  t.deepEqual(slower, [
    { scenario: 'boot', machine: 'amd64-bios', phase: 'firmware', previousMs: 4000, currentMs: 6000 },
    { scenario: 'boot', machine: 'amd64-bios', phase: 'loader', previousMs: 3000, currentMs: 5000 },
  ]);
  const strict = compareWithPrevious([previous], current, { ratio: 0.6, minMs: 2000 }).slowerPhases;
  t.deepEqual(strict.map((g) => g.phase), ['loader'], 'the threshold is a parameter');
});

test('timings are not compared across accelerators', (t) => {
  const previous = run('n1', '2026-01-01T00:00:00Z', [{ phases: { firmwareMs: 1000 } }], 'kvm');
  const current = run('n2', '2026-01-02T00:00:00Z', [{ phases: { firmwareMs: 9000 } }], 'tcg');
  const c = compareWithPrevious([previous], current);
  t.false(c.timingsCompared);
  t.deepEqual(c.slowerPhases, []);
});

test('the previous run is the latest that started before this one, never this one itself', (t) => {
  const history = [
    run('n1', '2026-01-01T00:00:00Z', [{ status: 'failed' }]),
    run('n3', '2026-01-03T00:00:00Z', [{ status: 'failed' }]),
    run('n2', '2026-01-02T00:00:00Z', [{ status: 'passed' }]),
  ];
  const current = run('n3', '2026-01-03T00:00:00Z', [{ status: 'failed' }]);
  const c = compareWithPrevious(history, current);
  t.is(c.previous?.runId, 'n2');
  t.is(c.newFailures.length, 1);
  t.is(compareWithPrevious([], current).previous, undefined);
  t.deepEqual(compareWithPrevious([], current).newFailures, [], 'with nothing to compare with, nothing is new');
});

const results = (id: string, complete: boolean): Results => ({
  run: { id, startedAt: '2026-01-02T00:00:00Z', complete, accel: 'tcg', host: 'h', command: 'bootproof nightly' },
  summary: { passed: 1, failed: 0, flaky: 0, skipped: 0, infrastructure: 0, knownFailures: 0, total: 1 },
  tests: [
    {
      scenario: 'boot', machine: 'amd64-bios', title: 'boot on amd64-bios', image: { path: '/x', sha256: 'ab' }, status: 'passed',
      startedAt: '2026-01-02T00:00:00Z', durationMs: 20000, phases, boots: [], steps: [], accel: 'tcg', artifacts: {},
    },
  ],
});

test('appendHistory adds one line per finished run, once, and skips an incomplete run', async (t) => {
  const file = join(await testFolder(t, 'history'), 'reports', 'history.jsonl');
  t.false(await appendHistory(file, results('reports/nightly-1', false)), 'an interrupted nightly is not history');
  t.true(await appendHistory(file, results('reports/nightly-1', true)));
  t.false(await appendHistory(file, results('reports/nightly-1', true)), 'rebuilding the report does not add it twice');
  t.true(await appendHistory(file, results('reports/nightly-2', true)));
  appendFileSync(file, '{"runId": "cut by a cra');
  t.true(await appendHistory(file, results('reports/nightly-3', true)), 'a line cut by a crash does not swallow the next one');
  const history = await readHistory(file);
  t.deepEqual(history.map((e) => e.runId), ['reports/nightly-1', 'reports/nightly-2', 'reports/nightly-3']);
  t.deepEqual(history[0], {
    runId: 'reports/nightly-1', startedAt: '2026-01-02T00:00:00Z', accel: 'tcg', profile: 'fixture',
    tests: [{ scenario: 'boot', machine: 'amd64-bios', status: 'passed', phases, durationMs: 20000 }],
  });
  t.is(readFileSync(file, 'utf8').split('\n').length, 5, 'three runs, the cut line, and the final newline');
  t.deepEqual(await readHistory(join(file, 'missing')), []);
});

test("each profile's runs are a history of their own: the nightly's OpenBSD leg is never compared with the fixture's", async (t) => {
  const file = join(await testFolder(t, 'history'), 'history.jsonl');
  const through = (id: string, profile?: string): Results => {
    const r = results(id, true);
    return { ...r, run: { ...r.run, ...(profile ? { profile } : {}) } };
  };
  await appendHistory(file, through('reports/nightly-1'));
  await appendHistory(file, through('reports/nightly-1-openbsd-resflash', 'openbsd-resflash'));
  await appendHistory(file, through('reports/nightly-2', 'fixture'));
  t.deepEqual((await readHistory(file)).map((e) => e.runId), ['reports/nightly-1', 'reports/nightly-2'], 'a run without a profile ran through fixture');
  t.deepEqual((await readHistory(file, 'openbsd-resflash')).map((e) => e.runId), ['reports/nightly-1-openbsd-resflash']);
});

test('the history file sits beside the run folders; whole nightlies and merged nightly shards belong in it', (t) => {
  t.is(historyFileFor('/w/reports/nightly-20260101-000000'), '/w/reports/history.jsonl');
  const info = { id: 'x', startedAt: '', complete: true, accel: 'tcg', host: 'h' };
  t.true(belongsInHistory({ ...info, command: 'bootproof nightly' }));
  t.false(belongsInHistory({ ...info, command: 'bootproof nightly --slice ci --out reports/test-1' }), 'the CI slice is not a nightly');
  t.true(belongsInHistory({ ...info, command: 'bootproof nightly --shard 1/2 ; bootproof nightly --shard 2/2' }), 'merged shards');
  t.false(belongsInHistory({ ...info, command: 'bootproof nightly --shard 1/2' }), 'a lone shard is part of a run');
  t.false(belongsInHistory({ ...info, command: 'bootproof run --machine amd64-bios --scenario nightly' }));
});

test('the chart plots each machine\'s median full boot per run, leaving out boots that never reached a shell', (t) => {
  const series = bootTimeSeries([
    run('n1', '2026-01-01T00:00:00Z', [
      { phases: { firmwareMs: 1000, userlandMs: 1000 } },
      { phases: { firmwareMs: 3000, userlandMs: 1000 } },
      { phases: { firmwareMs: 90000 } },
      { machine: 'amd64-uefi', phases: { firmwareMs: 5000, userlandMs: 1000 } },
    ]),
    run('n2', '2026-01-02T00:00:00Z', [{ phases: { firmwareMs: 2000, userlandMs: 1000 } }]),
  ]);
  t.deepEqual(series.machines, ['amd64-bios', 'amd64-uefi']);
  t.deepEqual(series.values, [
    [3000, 3000],
    [6000, undefined],
  ]);
});
