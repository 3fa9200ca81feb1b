import test from 'ava';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';
import { mergeRunFolders } from './merge.ts';
import { appendRecord, readRecords } from '../results/records.ts';
import type { TestRecord } from '../results/model.ts';
import { writeRunInfo } from '../results/run-info.ts';
import { writeReport } from './write-report.ts';
import { testFolder } from '../testdata/test-folder.ts';

const record = (scenario: string, machine: string, status: TestRecord['status'], minute: number): TestRecord => {
  const folder = `tests/${scenario.replace(':', '--')}--${machine}`;
  return {
    scenario, machine, title: `${scenario} on ${machine}`, image: { path: '/x/disk.img', sha256: 'ab' }, status,
    startedAt: `2026-01-01T00:${String(minute).padStart(2, '0')}:00.000Z`, durationMs: 20000,
    phases: { firmwareMs: 4000, loaderMs: 3000, kernelMs: 9000, userlandMs: 700 }, boots: [], steps: [], accel: 'tcg',
    ...(status === 'failed' ? { error: { kind: 'WaitTimeout', message: `timed out waiting for login: in ${scenario}` } } : {}),
    artifacts: { transcript: `${folder}/console.txt`, cast: `${folder}/console.cast`, qemuStderr: `${folder}/qemu-stderr.log` },
  };
};

const all = [
  record('boot', 'amd64-bios', 'passed', 0),
  record('boot', 'amd64-uefi', 'passed', 1),
  record('upgrade', 'amd64-bios', 'failed', 2),
  record('failover', 'amd64-uefi', 'flaky', 3),
  record('failover:catches-ignore-set-device', 'amd64-uefi', 'passed', 4),
];

/** A finished (or unfinished) run folder holding `records`, each with its three artefacts. */
async function runFolder(dir: string, records: TestRecord[], options: { complete?: boolean; accel?: string; command?: string; profile?: string } = {}) {
  mkdirSync(dir, { recursive: true });
  const accel = options.accel ?? 'tcg';
  await writeRunInfo(dir, {
    id: dir, startedAt: records[0]?.startedAt ?? '2026-01-01T00:00:00.000Z', accel, accelReason: `${accel} because`,
    host: 'ci-runner', command: options.command ?? 'bootproof nightly --slice ci', ...(options.profile ? { profile: options.profile } : {}),
  });
  for (const r of records) {
    for (const path of Object.values(r.artifacts)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), `${dir}: ${path}\n`);
    }
    await appendRecord(dir, r);
  }
  await writeReport(dir, options.complete ?? true);
  return dir;
}

const matrixOf = (dir: string) => /<table class="matrix".*?<\/table>/s.exec(readFileSync(join(dir, 'index.html'), 'utf8'))?.[0];

test('merging two halves of a run gives the same matrix, summary and artefacts as the whole run', async (t) => {
  const root = await testFolder(t, 'merge');
  const whole = await runFolder(join(root, 'whole'), all);
  const first = await runFolder(join(root, 'shard-a'), [all[0]!, all[3]!]);
  const second = await runFolder(join(root, 'shard-b'), [all[1]!, all[2]!, all[4]!]);
  const merged = await mergeRunFolders([first, second], join(root, 'merged'));

  t.deepEqual(merged.summary, { passed: 3, failed: 1, flaky: 1, skipped: 0, infrastructure: 0, knownFailures: 0, total: 5 });
  const wholeResults = JSON.parse(readFileSync(join(whole, 'results.json'), 'utf8'));
  t.deepEqual(merged.summary, wholeResults.summary);
  t.truthy(matrixOf(whole));
  t.is(matrixOf(join(root, 'merged')), matrixOf(whole));
  t.deepEqual(merged.tests.map((r) => r.artifacts), all.map((r) => r.artifacts), 'relative paths kept where they do not collide');
  const shardOf = (r: TestRecord) => ([all[0], all[3]].some((a) => a?.title === r.title) ? first : second);
  for (const r of merged.tests) {
    t.is(readFileSync(join(root, 'merged', r.artifacts.cast!), 'utf8'), `${shardOf(r)}: ${r.artifacts.cast}\n`, 'copied from its shard');
  }
  t.deepEqual((await readRecords(join(root, 'merged'))).length, 5);
  for (const file of ['results.json', 'junit.xml', 'index.html', 'run.json']) t.true(existsSync(join(root, 'merged', file)), file);
  const junit = readFileSync(join(root, 'merged', 'junit.xml'), 'utf8');
  t.regex(junit, /<testsuite name="amd64-bios" tests="2" failures="1"/);
});

test('the merged run is complete only if every shard is, and lists every accelerator, host command and shard', async (t) => {
  const root = await testFolder(t, 'merge');
  const a = await runFolder(join(root, 'a'), [all[0]!], { accel: 'kvm' });
  const b = await runFolder(join(root, 'b'), [all[1]!], { complete: false, command: 'bootproof nightly --shard 2/2' });
  const merged = await mergeRunFolders([a, b], join(root, 'out'));
  const run = merged.run;
  t.false(run.complete);
  t.is(run.accel, 'kvm, tcg');
  t.is(run.accelReason, 'kvm: kvm because; tcg: tcg because');
  t.is(run.command, 'bootproof nightly --slice ci ; bootproof nightly --shard 2/2');
  t.deepEqual(run.mergedFrom, [a, b]);
  t.is(run.startedAt, all[0]!.startedAt);
  t.regex(readFileSync(join(root, 'out', 'index.html'), 'utf8'), /class="banner incomplete"/);

  const both = await mergeRunFolders([a, await runFolder(join(root, 'c'), [all[2]!])], join(root, 'out2'));
  t.true(both.run.complete);
});

test('artefacts of the same test in two shards are both kept, under distinct paths', async (t) => {
  const root = await testFolder(t, 'merge');
  const a = await runFolder(join(root, 'a'), [all[0]!]);
  const b = await runFolder(join(root, 'b'), [{ ...all[0]!, startedAt: '2026-01-01T01:00:00.000Z', status: 'failed' }]);
  await mergeRunFolders([a, b], join(root, 'out'));
  const [firstPath, secondPath] = (await readRecords(join(root, 'out'))).map((r) => r.artifacts.transcript!);
  t.is(firstPath, 'tests/boot--amd64-bios/console.txt');
  t.is(secondPath, 'shard-2/tests/boot--amd64-bios/console.txt');
  t.is(readFileSync(join(root, 'out', firstPath!), 'utf8'), `${a}: tests/boot--amd64-bios/console.txt\n`);
  t.is(readFileSync(join(root, 'out', secondPath!), 'utf8'), `${b}: tests/boot--amd64-bios/console.txt\n`);
});

test('bad input is a UsageError naming the problem and the fix', async (t) => {
  const root = await testFolder(t, 'merge');
  const a = await runFolder(join(root, 'a'), [all[0]!]);
  mkdirSync(join(root, 'empty'));
  await t.throwsAsync(mergeRunFolders([], join(root, 'x')), { instanceOf: UsageError, message: /name the run folders to merge/ });
  await t.throwsAsync(mergeRunFolders([a, join(root, 'empty')], join(root, 'x')), {
    instanceOf: UsageError,
    message: /empty is not a run folder .*name folders written by bootproof run or nightly/,
  });
  await t.throwsAsync(mergeRunFolders([a, join(root, 'nowhere')], join(root, 'x')), { instanceOf: UsageError, message: /nowhere is not a run folder/ });
  await t.throwsAsync(mergeRunFolders([a], a), { instanceOf: UsageError, message: /is one of the folders to merge/ });
  await t.throwsAsync(mergeRunFolders([a, a], join(root, 'x')), { instanceOf: UsageError, message: /named twice/ });
  const openbsd = await runFolder(join(root, 'a-openbsd-resflash'), [all[1]!], { profile: 'openbsd-resflash' });
  await t.throwsAsync(mergeRunFolders([a, openbsd], join(root, 'x')), {
    instanceOf: UsageError,
    message: /different profiles \(fixture, openbsd-resflash\), whose cells would collide: merge the shards of one profile at a time/,
  });
  await mergeRunFolders([a], join(root, 'done'));
  await t.throwsAsync(mergeRunFolders([a], join(root, 'done')), { instanceOf: UsageError, message: /already holds a run: choose another --out folder/ });
});
