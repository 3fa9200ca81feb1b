import test from 'ava';
import { join } from 'node:path';
import { scenarioDir, scenarioFile, scenarioNames } from './scenario-files.ts';
import { makeUserFolder } from '../config/testdata/user-folder.ts';

test.serial("a user's scenario files add to the built-in ones; the user's file wins for the same file name", (t) => {
  const folder = makeUserFolder(t);
  const saved = process.env.BOOTPROOF_USER_DIR;
  process.env.BOOTPROOF_USER_DIR = folder.root;
  t.teardown(() => {
    process.env.BOOTPROOF_USER_DIR = saved;
    if (saved === undefined) delete process.env.BOOTPROOF_USER_DIR;
  });
  const mine = folder.write('scenarios/mine.test.ts', '');
  const boot = folder.write('scenarios/boot.test.ts', '');
  t.true(scenarioNames().includes('mine') && scenarioNames().includes('upgrade'));
  t.is(scenarioFile('mine'), mine);
  t.is(scenarioFile('boot'), boot);
  t.is(scenarioFile('upgrade'), join(scenarioDir, 'upgrade.test.ts'));
  t.is(scenarioFile(join(folder.root, 'scenarios', 'mine.test.ts')), mine, 'a path names a file directly');
  t.throws(() => scenarioFile('nine'), { message: /^unknown scenario "nine": choose one of .*\bmine\b.*, or a path to a \.test\.ts file$/ });
});
