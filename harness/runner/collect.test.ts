import test, { type ExecutionContext } from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { collectTests } from './collect.ts';
import { UsageError } from '../errors.ts';
import { testFolder } from '../testdata/test-folder.ts';

const api = new URL('../index.ts', import.meta.url).href;

/** Scenario files in a folder of their own, each declaring the scenarios named. */
async function scenarioFiles(t: ExecutionContext, files: Record<string, string[]>): Promise<string[]> {
  const dir = await testFolder(t, 'collect-test');
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }');
  return Promise.all(
    Object.entries(files).map(async ([file, names]) => {
      // gamma must catch a broken fixture: that adds a test on its CI machine.
      const detects = (name: string) => (name === 'gamma' ? `, detects: [{ variant: 'lying-rc', failure: /x/ }]` : '');
      const declarations = names.map(
        (name) => `scenario({ name: '${name}', description: 'd', depth: 'full', ci: ['amd64-bios'], timeoutMinutes: 1${detects(name)} }, async () => undefined);`,
      );
      await writeFile(join(dir, file), [`import { scenario } from '${api}';`, ...declarations].join('\n'));
      return join(dir, file);
    }),
  );
}

test('collecting names each file\'s scenarios and every test with its file, with the reason a machine cannot run it', async (t) => {
  const files = await scenarioFiles(t, { 'one.test.ts': ['alpha'], 'two.test.ts': ['beta', 'gamma'] });
  const collection = await collectTests(files, { BOOTPROOF_SLICE: 'full', BOOTPROOF_MACHINES: 'amd64-bios,macppc-ofw' });
  t.deepEqual(collection.files.map((f) => f.scenarios), [['alpha'], ['beta', 'gamma']]);
  t.deepEqual(
    collection.tests.filter((x) => x.scenario === 'alpha'),
    [
      { scenario: 'alpha', machine: 'amd64-bios', title: 'alpha on amd64-bios', timeoutMinutes: 1, file: files[0] },
      { scenario: 'alpha', machine: 'macppc-ofw', title: 'alpha on macppc-ofw', timeoutMinutes: 1, skip: 'needs a shell; macppc-ofw boots only to the loader', file: files[0] },
    ],
  );
  // A broken-fixture check is named as its record names it, so the history's durations find it.
  t.deepEqual(
    collection.tests.filter((x) => x.scenario.startsWith('gamma')).map((x) => [x.scenario, x.title, x.file]),
    [
      ['gamma', 'gamma on amd64-bios', files[1]],
      ['gamma', 'gamma on macppc-ofw', files[1]],
      ['gamma:catches-lying-rc', 'gamma catches the lying-rc fixture on amd64-bios', files[1]],
    ],
  );
});

test('a scenario name declared in two files fails at load, naming both files', async (t) => {
  const [one, two] = await scenarioFiles(t, { 'one.test.ts': ['alpha'], 'two.test.ts': ['beta', 'alpha'] });
  const error = await t.throwsAsync(collectTests([one!, two!], { BOOTPROOF_SLICE: 'full' }), { instanceOf: UsageError });
  t.is(error?.message, `the scenario files could not be loaded: scenario "alpha" is declared in ${one} and in ${two}: give one of them another name`);
});

test('a scenario declaration with a wrong field fails at load, naming the scenario, the field, the value and the file', async (t) => {
  const dir = await testFolder(t, 'collect-test');
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }');
  const file = join(dir, 'cd.test.ts');
  await writeFile(file, `import { scenario } from '${api}';\nscenario({ name: 'cd', description: 'd', depth: 'loader', ci: false, timeoutMinutes: 1 } as never, async () => undefined);\n`);
  const error = await t.throwsAsync(collectTests([file], { BOOTPROOF_SLICE: 'full' }), { instanceOf: UsageError });
  t.is(error?.message, `the scenario files could not be loaded: scenario "cd" (its scenario({ ... }) declaration): ci: expected an array of strings, got false (boolean) (at ${file}:2)`);
});
