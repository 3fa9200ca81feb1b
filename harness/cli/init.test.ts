// bootproof init in a new user folder: what it writes loads through bootproof's own readers and is collected.
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { checkout, makeUserFolder, type UserFolder } from '../config/testdata/user-folder.ts';
import { loadVmConfig } from '../config/vm-config.ts';
import { loadProfile } from '../config/profile.ts';
import { collectTests } from '../runner/collect.ts';

const bootproof = (folder: UserFolder, ...args: string[]) =>
  execa(process.execPath, [join(checkout, 'bin', 'bootproof.js'), ...args], { cwd: folder.root, reject: false, env: { BOOTPROOF_USER_DIR: '' } });

const schemaOf = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { $schema?: string }).$schema;

test('init scaffolds a machine, a profile and a scenario that bootproof loads, lists and collects', async (t) => {
  const folder = makeUserFolder(t);
  const { exitCode, stdout, stderr } = await bootproof(folder, 'init', '--name', 'lab-pc', '--machine', 'amd64-uefi');
  t.is(exitCode, 0, stderr);
  t.is(stdout, 'wrote vm-configs/lab-pc.json\nwrote profiles/lab-pc.json\nwrote scenarios/lab-pc.test.ts\nrun it: npx bootproof run --machine lab-pc --scenario lab-pc --profile lab-pc');

  const vmConfig = join(folder.root, 'vm-configs', 'lab-pc.json');
  const machine = loadVmConfig(vmConfig);
  t.like(machine, { name: 'lab-pc', arch: 'amd64', depth: 'full' });
  t.is(machine.firmware.kind, 'ovmf', 'a copy of the machine named by --machine');
  t.is(schemaOf(vmConfig), '../node_modules/bootproof/schemas/vm-config.schema.json');
  t.truthy(readFileSync(join(folder.root, 'node_modules', 'bootproof', 'schemas', 'vm-config.schema.json')), 'the $schema path leads to the schema');

  const profileFile = join(folder.root, 'profiles', 'lab-pc.json');
  t.deepEqual(loadProfile(profileFile).stages, { loader: false, shell: false }, 'the generic profile: no loader or shell expected');
  t.is(schemaOf(profileFile), '../node_modules/bootproof/schemas/profile.schema.json');

  const machines = await bootproof(folder, 'machines');
  t.regex(machines.stdout, new RegExp(`^lab-pc +amd64 +ovmf +full +${vmConfig} `, 'm'), 'bootproof machines lists it from the user folder');

  const scenarioFile = join(folder.root, 'scenarios', 'lab-pc.test.ts');
  const source = readFileSync(scenarioFile, 'utf8');
  t.regex(source, /^import \{ scenario \} from 'bootproof';$/m);
  t.true(source.includes(`await vm.console.waitFor(/${machine.firmware.banner.source}/, { timeoutMs: 60_000 });`), "it waits for the machine's firmware banner");
  const collection = await collectTests([scenarioFile], { BOOTPROOF_USER_DIR: folder.root, BOOTPROOF_SLICE: 'ci', BOOTPROOF_MACHINES: '' });
  t.deepEqual(collection.files, [{ file: scenarioFile, scenarios: ['lab-pc'] }]);
  t.deepEqual(collection.tests, [{ scenario: 'lab-pc', machine: 'lab-pc', title: 'lab-pc on lab-pc', timeoutMinutes: 5, file: scenarioFile }], 'its CI slice is the new machine, which can run it');
});

test('init never overwrites a file, and refuses names and options it cannot use, each with the fix', async (t) => {
  const folder = makeUserFolder(t);
  const mine = folder.write('profiles/my-machine.json', '{ "description": "mine" }');
  const again = await bootproof(folder, 'init');
  t.is(again.exitCode, 2);
  t.is(again.stderr, `bootproof: ${mine} exists: bootproof init never overwrites a file; move it away, or choose another --name`);
  t.is(readFileSync(mine, 'utf8'), '{ "description": "mine" }');
  t.throws(() => loadVmConfig(join(folder.root, 'vm-configs', 'my-machine.json')), { message: /not found/ }, 'nothing is written when one file exists');

  t.like(await bootproof(folder, 'init', '--name', 'amd64-bios'), {
    exitCode: 2,
    stderr: 'bootproof: --name: "amd64-bios" is a built-in machine; give your copy a name of its own (e.g. my-amd64-bios)',
  });
  t.like(await bootproof(folder, 'init', '--name', '../x'), { exitCode: 2, stderr: 'bootproof: --name: expected letters, digits, - and _ (e.g. my-machine), got "../x"' });
  const machine = await bootproof(folder, 'init', '--name', 'x', '--machine', 'pc');
  t.is(machine.exitCode, 2);
  t.regex(machine.stderr, /^bootproof: --machine: "pc" is not a built-in machine: choose one of amd64-bios, amd64-ipxe, /);
  t.like(await bootproof(folder, 'init', '--force'), {
    exitCode: 2,
    stderr: 'bootproof: unknown option --force for init: init takes --name, --machine, -h/--help (see bootproof init --help)',
  });
});

test("init writes into the folders bootproof.config.json names, with each $schema relative to its file", async (t) => {
  const folder = makeUserFolder(t);
  folder.write('test/machines/.keep', '');
  folder.write('test/profiles/.keep', '');
  writeFileSync(folder.write('bootproof.config.json', ''), JSON.stringify({ vmConfigs: ['test/machines'], profiles: ['test/profiles'] }));
  const { exitCode, stderr } = await bootproof(folder, 'init');
  t.is(exitCode, 0, stderr);
  const vmConfig = join(folder.root, 'test', 'machines', 'my-machine.json');
  t.is(loadVmConfig(vmConfig).firmware.kind, 'seabios', 'amd64-bios by default');
  t.is(schemaOf(vmConfig), '../../node_modules/bootproof/schemas/vm-config.schema.json');
  t.is(schemaOf(join(folder.root, 'test', 'profiles', 'my-machine.json')), '../../node_modules/bootproof/schemas/profile.schema.json');
  t.regex(readFileSync(join(folder.root, 'scenarios', 'my-machine.test.ts'), 'utf8'), /waitFor\(\/SeaBIOS \\\(version\//);
});
