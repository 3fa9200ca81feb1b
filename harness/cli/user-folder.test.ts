// bootproof run from a user's folder: its machines, profiles and scenarios, found by convention or named by path.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { builtIn, checkout, makeUserFolder, type UserFolder } from '../config/testdata/user-folder.ts';

const bootproof = (folder: UserFolder, ...args: string[]) =>
  execa(process.execPath, [join(checkout, 'bin', 'bootproof.js'), ...args], { cwd: folder.root, reject: false, env: { BOOTPROOF_USER_DIR: '' } });

const myPc = { ...builtIn('vm-configs/amd64-bios.json'), description: 'my PC' };

// Loaded as an ES module though the folder's package.json is not "type": "module": top-level await and import.meta.
const scenarioFile = (name: string, machine: string, profile: string, cwd: string) => `import { scenario } from 'bootproof';
import { fileURLToPath } from 'node:url';
const folder = await Promise.resolve(fileURLToPath(new URL('..', import.meta.url)));
scenario({ name: '${name}', description: 'sees the user folder', depth: 'full', ci: ['${machine}'], timeoutMinutes: 5 }, async (t, vm) => {
  t.is(vm.config.file, folder + ${JSON.stringify(`vm-configs/${machine}.json`)});
  t.is(vm.config.description, 'my PC');
  t.is(vm.profile.name, ${JSON.stringify(profile)});
  t.is(process.cwd(), ${JSON.stringify(cwd)}, 'the scenario runs in the folder bootproof was run in');
});
`;

function results(out: string): { tests: { title: string; status: string; error?: { message: string } }[] } {
  return JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
}

test('bootproof machines lists the user folder\'s machines with their file, and its file wins over a built-in one', async (t) => {
  const folder = makeUserFolder(t);
  const mine = folder.write('vm-configs/my-pc.json', myPc);
  const uefi = folder.write('vm-configs/amd64-uefi.json', myPc);
  const { exitCode, stdout } = await bootproof(folder, 'machines');
  t.is(exitCode, 0);
  t.regex(stdout, new RegExp(`^my-pc +amd64 +seabios +full +${mine} `, 'm'));
  t.regex(stdout, new RegExp(`^amd64-uefi +amd64 +seabios +full +${uefi} `, 'm'), "the user's amd64-uefi, a SeaBIOS machine");
  t.regex(stdout, /^amd64-bios +amd64 +seabios +full +built-in /m);
  t.is(stdout.match(/^amd64-uefi /gm)?.length, 1);
});

test('a bad bootproof.config.json stops bootproof with the file, the key and the fix', async (t) => {
  const folder = makeUserFolder(t);
  const file = folder.write('bootproof.config.json', { scenario: ['tests'] });
  const { exitCode, stderr } = await bootproof(folder, 'machines');
  t.is(exitCode, 2);
  t.is(stderr, `bootproof: ${file}: unknown key "scenario": did you mean "scenarios"? (the keys are "vmConfigs", "scenarios", "profiles")`);
});

test("bootproof run runs the user's scenario on the user's machine with the user's profile, by name and by path", async (t) => {
  const folder = makeUserFolder(t);
  folder.write('vm-configs/my-pc.json', myPc);
  folder.write('profiles/mine.json', builtIn('harness/config/profiles/fixture.json'));
  folder.write('scenarios/mine.test.ts', scenarioFile('mine', 'my-pc', 'mine', folder.root));
  const byName = join(folder.root, 'by-name');
  const named = await bootproof(folder, 'run', '--machine', 'my-pc', '--scenario', 'mine', '--profile', 'mine', '--accel', 'tcg', '--retries', '0', '--out', byName);
  t.is(named.exitCode, 0, named.all ?? named.stdout + named.stderr);
  t.like(results(byName).tests, [{ title: 'mine on my-pc', status: 'passed' }]);

  const profile = folder.write('elsewhere/target.json', builtIn('harness/config/profiles/fixture.json'));
  folder.write('elsewhere/vm-configs/x.json', myPc);
  folder.write('elsewhere/scenarios/x.test.ts', scenarioFile('x', 'x', profile, folder.root));
  const byPath = join(folder.root, 'by-path');
  const paths = ['--machine', './elsewhere/vm-configs/x.json', '--scenario', './elsewhere/scenarios/x.test.ts', '--profile', './elsewhere/target.json'];
  const pathed = await bootproof(folder, 'run', ...paths, '--accel', 'tcg', '--retries', '0', '--out', byPath);
  t.is(pathed.exitCode, 0, pathed.stdout + pathed.stderr);
  t.like(results(byPath).tests, [{ title: 'x on x', status: 'passed' }]);
});

test("a user's scenario file declaring a built-in scenario's name is refused before any boot, naming both files", async (t) => {
  const folder = makeUserFolder(t);
  folder.write('vm-configs/my-pc.json', myPc);
  const mine = folder.write('scenarios/my-upgrade.test.ts', scenarioFile('upgrade', 'my-pc', 'fixture', folder.root));
  const out = join(folder.root, 'report');
  const { exitCode, stderr } = await bootproof(folder, 'run', '--machine', 'my-pc', '--scenario', 'upgrade,my-upgrade', '--accel', 'tcg', '--out', out);
  t.is(exitCode, 2);
  t.regex(stderr, new RegExp(`scenario "upgrade" is declared in ${join(checkout, 'scenarios', 'upgrade.test.ts')} and in ${mine}: give one of them another name`));
});
