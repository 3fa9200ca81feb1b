import test from 'ava';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectTests } from './collect.ts';
import { UsageError } from '../errors.ts';

const api = new URL('../index.ts', import.meta.url).href;

/** Scenario files in a folder of their own, each declaring the scenarios named. */
async function scenarioFiles(files: Record<string, string[]>): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'bp-collect-test-'));
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }');
  return Promise.all(
    Object.entries(files).map(async ([file, names]) => {
      const declarations = names.map(
        (name) => `scenario({ name: '${name}', description: 'd', depth: 'full', ci: ['amd64-bios'], timeoutMinutes: 1 }, async () => undefined);`,
      );
      await writeFile(join(dir, file), [`import { scenario } from '${api}';`, ...declarations].join('\n'));
      return join(dir, file);
    }),
  );
}

test('collecting names each file\'s scenarios and every test, with the reason a machine cannot run it', async (t) => {
  const files = await scenarioFiles({ 'one.test.ts': ['alpha'], 'two.test.ts': ['beta', 'gamma'] });
  const collection = await collectTests(files, { BOOTPROOF_SLICE: 'full', BOOTPROOF_MACHINES: 'amd64-bios,macppc-ofw' });
  t.deepEqual(collection.files.map((f) => f.scenarios), [['alpha'], ['beta', 'gamma']]);
  t.deepEqual(
    collection.tests.filter((x) => x.scenario === 'alpha'),
    [
      { scenario: 'alpha', machine: 'amd64-bios', title: 'alpha on amd64-bios' },
      { scenario: 'alpha', machine: 'macppc-ofw', title: 'alpha on macppc-ofw', skip: 'needs a shell; macppc-ofw boots only to the loader' },
    ],
  );
});

test('a scenario name declared in two files fails at load, naming both files', async (t) => {
  const [one, two] = await scenarioFiles({ 'one.test.ts': ['alpha'], 'two.test.ts': ['beta', 'alpha'] });
  const error = await t.throwsAsync(collectTests([one!, two!], { BOOTPROOF_SLICE: 'full' }), { instanceOf: UsageError });
  t.is(error?.message, `the scenario files could not be loaded: scenario "alpha" is declared in ${one} and in ${two}: give one of them another name`);
});
