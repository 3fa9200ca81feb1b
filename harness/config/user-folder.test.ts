import test from 'ava';
import { join, relative } from 'node:path';
import { loadVmConfig, machineFiles, machineNames } from './vm-config.ts';
import { loadProfile, profileNames } from './profile.ts';
import { UsageError } from '../errors.ts';
import { builtIn, makeUserFolder, type UserFolder } from './testdata/user-folder.ts';
import type { Teardown } from '../testdata/test-folder.ts';

/** A new user folder, prepared, as the user's folder until the test ends (the tests of this file run one at a time). */
function inFolder(t: Teardown, prepare: (folder: UserFolder) => void): UserFolder {
  const folder = makeUserFolder(t);
  prepare(folder);
  const saved = process.env.BOOTPROOF_USER_DIR;
  process.env.BOOTPROOF_USER_DIR = folder.root;
  t.teardown(() => {
    if (saved === undefined) delete process.env.BOOTPROOF_USER_DIR;
    else process.env.BOOTPROOF_USER_DIR = saved;
  });
  return folder;
}

const myPc = { ...builtIn('vm-configs/amd64-bios.json'), description: 'my PC' };

test.serial("a user's vm-configs and profiles add to the built-in ones", (t) => {
  const folder = inFolder(t, (f) => {
    f.write('vm-configs/my-pc.json', myPc);
    f.write('profiles/mine.json', builtIn('harness/config/profiles/fixture.json'));
  });
  const machines = machineFiles();
  t.like(machines.find((m) => m.name === 'my-pc'), { file: join(folder.root, 'vm-configs', 'my-pc.json'), builtIn: false });
  t.like(machines.find((m) => m.name === 'amd64-bios'), { builtIn: true });
  t.is(loadVmConfig('my-pc').description, 'my PC');
  t.true(profileNames().includes('mine') && profileNames().includes('fixture'));
  t.is(loadProfile('mine').name, 'mine');
});

test.serial("a user's vm-config wins over the built-in one of the same name", (t) => {
  const folder = inFolder(t, (f) => f.write('vm-configs/amd64-uefi.json', myPc));
  const uefi = loadVmConfig('amd64-uefi');
  t.is(uefi.file, join(folder.root, 'vm-configs', 'amd64-uefi.json'));
  t.is(uefi.firmware.kind, 'seabios', "the user's file is the one loaded");
  t.is(machineNames().filter((m) => m === 'amd64-uefi').length, 1, 'the machine is listed once');
});

test.serial('a vm-config by path, relative to the working folder, goes by its file name', (t) => {
  const folder = inFolder(t, () => undefined);
  const file = folder.write('elsewhere/x.json', myPc);
  const config = loadVmConfig(relative(process.cwd(), file));
  t.like(config, { name: 'x', file, description: 'my PC' });
  t.false(machineNames().includes('x'), 'a machine named by path is not added to the list');
  t.throws(() => loadVmConfig(join(folder.root, 'gone.json')), { instanceOf: UsageError, message: /^vm-config file .*gone\.json not found: check the path, or name a machine \(amd64-bios, / });
});

test.serial('bootproof.config.json names the folders to read instead of the conventional ones', (t) => {
  inFolder(t, (f) => {
    f.write('vm-configs/my-pc.json', myPc);
    f.write('test/machines/other.json', myPc);
    f.write('test/target/mine.json', builtIn('harness/config/profiles/fixture.json'));
    f.write('bootproof.config.json', { vmConfigs: ['test/machines'], profiles: ['test/target'] });
  });
  t.true(machineNames().includes('other'));
  t.false(machineNames().includes('my-pc'), 'vm-configs/ is no longer read once vmConfigs names the folders');
  t.is(loadProfile('mine').name, 'mine');
});

test.serial('a bad bootproof.config.json is refused naming the file, the key and the fix', (t) => {
  const folder = inFolder(t, (f) => f.write('bootproof.config.json', { vmconfigs: ['machines'] }));
  const file = join(folder.root, 'bootproof.config.json');
  t.throws(() => machineNames(), {
    instanceOf: UsageError,
    message: `${file}: unknown key "vmconfigs": did you mean "vmConfigs"? (the keys are "vmConfigs", "scenarios", "profiles")`,
  });
  folder.write('bootproof.config.json', { machines: ['x'] });
  t.throws(() => machineNames(), { message: `${file}: unknown key "machines" (check the spelling; the keys are "vmConfigs", "scenarios", "profiles")` });
  folder.write('bootproof.config.json', { $schema: './node_modules/bootproof/schemas/bootproof-config.schema.json', scenarios: 'tests' });
  t.throws(() => machineNames(), { message: `${file}: scenarios: expected an array of strings, got "tests" (string)` });
  folder.write('bootproof.config.json', { profiles: ['nowhere'] });
  t.throws(() => machineNames(), { message: `${file}: profiles: "nowhere" is not a folder (${join(folder.root, 'nowhere')}); paths are relative to the file` });
  folder.write('bootproof.config.json', '{ "vmConfigs": [ }');
  t.throws(() => machineNames(), { message: new RegExp(`^${file}: cannot read the bootproof config: .*JSON`) });
});

test.serial('two user folders defining the same machine are refused, naming both files', (t) => {
  const folder = inFolder(t, (f) => {
    f.write('a/my-pc.json', myPc);
    f.write('b/my-pc.json', myPc);
    f.write('bootproof.config.json', { vmConfigs: ['a', 'b'] });
  });
  t.throws(() => loadVmConfig('amd64-bios'), {
    message: `"my-pc" is defined twice, in ${join(folder.root, 'a', 'my-pc.json')} and in ${join(folder.root, 'b', 'my-pc.json')}: rename or remove one of them`,
  });
});
