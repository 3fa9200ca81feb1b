import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { expectedDurations } from './durations.ts';
import { dealingOrder, planLanes, wallClockMs } from './lanes.ts';
import { avaArguments, avaCli, fileOrderEnv } from './run.ts';
import { packageDir } from './bootproof-package.ts';
import type { Collection } from './collect.ts';
import { collectedTest } from './testdata/collected-test.ts';
import type { HistoryEntry } from '../report/history.ts';
import { testFolder } from '../testdata/test-folder.ts';

const cell = collectedTest;

const collection: Collection = {
  files: ['boot', 'power-cut', 'metadata', 'console'].map((name) => ({ file: `/s/${name}.test.ts`, scenarios: [name] })),
  tests: [
    cell('/s/boot.test.ts', 'boot', 'amd64-bios'),
    cell('/s/boot.test.ts', 'boot', 'macppc-ofw', 'needs a shell'),
    cell('/s/power-cut.test.ts', 'power-cut', 'amd64-bios'),
    cell('/s/power-cut.test.ts', 'power-cut:catches-unsafe-upgrade', 'amd64-bios'),
    cell('/s/metadata.test.ts', 'metadata', 'amd64-ipxe'),
    cell('/s/console.test.ts', 'console', 'amd64-bios'),
    cell('/s/console.test.ts', 'console', 'ppc64-ofw'),
  ],
};

const entry = (startedAt: string, accel: string, tests: [string, string, number, string?][]): HistoryEntry => ({
  runId: startedAt, startedAt, accel,
  tests: tests.map(([scenario, machine, durationMs, status = 'passed']) => ({ scenario, machine, durationMs, status: status as 'passed', phases: {} })),
});

const history = [
  entry('2026-11-30T02:00:00Z', 'tcg', [['boot', 'amd64-bios', 14_000], ['power-cut', 'amd64-bios', 157_000], ['power-cut:catches-unsafe-upgrade', 'amd64-bios', 22_000], ['console', 'amd64-bios', 4_000], ['console', 'ppc64-ofw', 6_000]]),
  entry('2026-12-01T02:00:00Z', 'tcg', [['boot', 'amd64-bios', 15_000], ['console', 'amd64-bios', 3_000], ['power-cut', 'amd64-bios', 0, 'skipped']]),
];

test('a test takes what its latest run took; a skip is no run; runs under the same accelerator win', (t) => {
  const tcg = expectedDurations(history, 'tcg');
  t.is(tcg.get('boot\namd64-bios'), 15_000);
  t.is(tcg.get('power-cut\namd64-bios'), 157_000, 'the later skip does not count as a run');
  t.false(tcg.has('metadata\namd64-ipxe'));
  const kvmLater = [...history, entry('2026-12-02T02:00:00Z', 'kvm', [['boot', 'amd64-bios', 2_000]])];
  t.is(expectedDurations(kvmLater, 'tcg').get('boot\namd64-bios'), 15_000);
  t.is(expectedDurations(kvmLater, 'kvm').get('boot\namd64-bios'), 2_000);
  t.is(expectedDurations(kvmLater).get('boot\namd64-bios'), 2_000, 'no accelerator asked: the latest run');
});

test('tests are dealt longest first, a test the history never saw before all others; a skip is not dealt', (t) => {
  const order = dealingOrder(collection, expectedDurations(history, 'tcg'));
  t.deepEqual(order.map((x) => [x.title, x.expectedMs]), [
    ['metadata on amd64-ipxe', undefined],
    ['power-cut on amd64-bios', 157_000],
    ['power-cut:catches-unsafe-upgrade on amd64-bios', 22_000],
    ['boot on amd64-bios', 15_000],
    ['console on ppc64-ofw', 6_000],
    ['console on amd64-bios', 3_000],
  ]);
});

test("one long file's tests run side by side: each test goes to the job with the least work", (t) => {
  const lanes = planLanes(collection, expectedDurations(history, 'tcg'), 2);
  t.deepEqual(lanes.map((l) => l.titles.filter((x) => !x.includes('skipped'))), [
    ['metadata on amd64-ipxe', 'power-cut:catches-unsafe-upgrade on amd64-bios', 'boot on amd64-bios', 'console on ppc64-ofw', 'console on amd64-bios'],
    ['power-cut on amd64-bios'],
  ]);
  t.deepEqual(lanes[0]!.files, ['/s/metadata.test.ts', '/s/power-cut.test.ts', '/s/boot.test.ts', '/s/console.test.ts'], 'power-cut runs in both jobs');
  t.deepEqual(lanes[1]!.files, ['/s/power-cut.test.ts']);
  t.true(lanes[0]!.titles.includes('boot on macppc-ofw (skipped: needs a shell)'), 'the first job selects the skips, so ava shows them as skipped');
  t.is(wallClockMs(lanes), 157_000, 'power-cut on amd64-bios alone on one job; the rest on the other');
  t.is(wallClockMs(planLanes(collection, expectedDurations(history, 'tcg'), 1)), 203_000);
});

test('without a history the tests are dealt by title, the same in every run and every shard', (t) => {
  const lanes = planLanes(collection, new Map(), 2);
  t.deepEqual(lanes.map((l) => l.tests.map((x) => x.title)), [
    ['boot on amd64-bios', 'console on ppc64-ofw', 'power-cut on amd64-bios'],
    ['console on amd64-bios', 'metadata on amd64-ipxe', 'power-cut:catches-unsafe-upgrade on amd64-bios'],
  ]);
});

test('before the history knows a test, its time limit weighs it: the longest limits are dealt first and apart', (t) => {
  const fresh: Collection = {
    files: collection.files,
    tests: [
      cell('/s/boot.test.ts', 'boot', 'amd64-bios', undefined, 5),
      cell('/s/boot.test.ts', 'boot', 'amd64-uefi', undefined, 5),
      cell('/s/crash-states.test.ts', 'crash-states', 'amd64-bios', undefined, 120),
      cell('/s/crash-states.test.ts', 'crash-states', 'amd64-uefi', undefined, 120),
      cell('/s/power-cut.test.ts', 'power-cut', 'amd64-bios', undefined, 30),
    ],
  };
  t.deepEqual(dealingOrder(fresh, new Map()).map((x) => x.title).slice(0, 3), [
    'crash-states on amd64-bios', 'crash-states on amd64-uefi', 'power-cut on amd64-bios',
  ]);
  t.deepEqual(planLanes(fresh, new Map(), 2).map((l) => l.tests.map((x) => x.title)), [
    ['crash-states on amd64-bios', 'power-cut on amd64-bios'],
    ['crash-states on amd64-uefi', 'boot on amd64-bios', 'boot on amd64-uefi'],
  ], 'the two crash-states run side by side from the start');

  // Once the history knows some tests, an unknown one weighs its limit times the known tests' median share of theirs.
  const known = new Map([['crash-states\namd64-bios', 600_000], ['boot\namd64-bios', 30_000], ['boot\namd64-uefi', 30_000]]);
  const lanes = planLanes(fresh, known, 2);
  t.deepEqual(lanes.map((l) => l.tests.map((x) => x.title)), [
    ['crash-states on amd64-uefi', 'boot on amd64-bios', 'boot on amd64-uefi'],
    ['power-cut on amd64-bios', 'crash-states on amd64-bios'],
  ], 'unknown first: crash-states on amd64-uefi weighs 120 min × 0.1 = 12 min, power-cut 3 min; then the known 10 min joins power-cut');
});

test('a retry deals only the tests it runs again, and no skip', (t) => {
  const lanes = planLanes(collection, expectedDurations(history, 'tcg'), 2, ['console on ppc64-ofw', 'boot on amd64-bios']);
  t.deepEqual(lanes.map((l) => l.titles), [['boot on amd64-bios'], ['console on ppc64-ofw']]);
  t.deepEqual(planLanes(collection, expectedDurations(history, 'tcg'), 4, ['boot on amd64-bios']).length, 1, 'no empty job');
});

test('ava starts the files in the order the runner gives, also where a CI would have ava split them', async (t) => {
  const dir = await testFolder(t, 'order');
  const ava = pathToFileURL(createRequire(import.meta.url).resolve('ava')).href;
  const [alpha, gamma] = await Promise.all(
    ['alpha', 'gamma'].map(async (name) => {
      const file = join(dir, `${name}.test.ts`);
      await writeFile(file, `import test from '${ava}';\ntest('${name} ran', (t) => t.pass());\n`);
      return file;
    }),
  );
  // A file of bootproof's own between a user's two: ava by itself would put its own test files first.
  const own = fileURLToPath(new URL('./scenario-files.test.ts', import.meta.url));
  const order = [gamma!, own, alpha!];
  for (const ci of [{}, { CI: 'true', CI_NODE_INDEX: '0', CI_NODE_TOTAL: '3' }]) {
    const { all, exitCode } = await execa(process.execPath, [avaCli, ...avaArguments(order, [])], {
      cwd: packageDir, reject: false, all: true, env: { ...fileOrderEnv(order), ...ci },
    });
    t.is(exitCode, 0, all);
    t.deepEqual(all.match(/alpha ran|gamma ran|user's scenario files/g), ['gamma ran', "user's scenario files", 'alpha ran'], all);
  }
});
