import test from 'ava';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeSmallDisk } from '../image/testdata/small-disk.ts';
import type { FinalTest } from '../results/model.ts';
import { findScript, mutateTable, outcomeOf, type MutateReport } from './mutate.ts';
import { testFolder } from '../testdata/test-folder.ts';

const script = '#!/bin/sh\necho upgrading\n';

test('the script is found in every ext root and .fs that holds it, and a path none holds is refused with the fix', async (t) => {
  const dir = await testFolder(t, 'mutate');
  const disk = await makeSmallDisk(dir, { rootFiles: { 'resflash/upgrade.sh': script } });
  const v2 = join(dir, 'root-v2.fs');
  await copyFile(disk.rootFs, v2);
  const emptyRoot = await makeSmallDisk(await testFolder(t, 'mutate'));
  const sources = { 'disk.img': disk.image, 'root-v2.fs': v2, 'root-v3.fs': emptyRoot.rootFs };

  const found = await findScript(sources, '/resflash/upgrade.sh');
  t.is(found.text, script);
  t.deepEqual(
    found.copies.map((c) => [c.file, c.where, c.startByte]),
    [['disk.img', 'partition 5', 4 * 1048576], ['root-v2.fs', 'the first upgrade', 0]],
  );
  await t.throwsAsync(findScript(sources, '/resflash/nothere.sh'), {
    message: /\/resflash\/nothere\.sh is in none of the image's ext2\/3\/4 roots nor its \.fs files: check the path/,
  });
});

const test1 = (status: FinalTest['status'], error?: FinalTest['error']) => ({ title: 'upgrade on amd64-bios', status, ...(error ? { error } : {}) }) as FinalTest;

test('a mutant is killed by a failed test and its claim, survives when every test passed, and is not run otherwise', (t) => {
  t.deepEqual(outcomeOf([test1('failed', { kind: 'AssertionError', message: 'after the upgrade boot.conf names the upgraded root e\nmore' })]), {
    status: 'killed',
    by: [{ test: 'upgrade on amd64-bios', claim: 'after the upgrade boot.conf names the upgraded root e' }],
  });
  t.deepEqual(outcomeOf([test1('passed')]), { status: 'survived' });
  t.like(outcomeOf([test1('failed', { kind: 'InfrastructureError', message: "the host's disk is full" })]), { status: 'not run' });
  t.like(outcomeOf([test1('skipped')]), { status: 'not run' });
  t.like(outcomeOf([]), { status: 'not run', reason: 'no test ran' });
});

test('the table counts the outcomes and shows each mutant\'s line, change and outcome', (t) => {
  const report: MutateReport = {
    machine: 'amd64-bios',
    file: '/resflash/upgrade.sh',
    scenarios: ['upgrade'],
    seed: 1,
    total: 20,
    chosen: 3,
    copies: ['disk.img: partition 5'],
    mutants: [
      { id: 3, line: 7, operator: 'and-or', original: 'a && b', mutated: 'a || b', description: '&& → ||', outcome: { status: 'survived' }, run: '', durationMs: 0 },
      { id: 9, line: 12, operator: 'delete', original: 'sync', mutated: ':', description: 'statement deleted', outcome: { status: 'killed', by: [{ test: 'upgrade on amd64-bios', claim: 'x' }] }, run: '', durationMs: 0 },
    ],
  };
  const lines = mutateTable(report);
  t.true(lines.includes('scenarios: upgrade; seed 1; 3 of the script\'s 20 mutants chosen, 2 run'), lines.join('\n'));
  t.true(lines.includes('2 mutants: 1 killed, 1 survived, 0 not run'));
  t.true(lines.includes('| 3 | 7 | && → \\|\\|: a && b → a \\|\\| b | SURVIVED |'), lines.join('\n'));
  t.true(lines.includes('| 9 | 12 | statement deleted: sync → : | killed by upgrade on amd64-bios (x) |'));
});
