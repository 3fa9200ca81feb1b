import test from 'ava';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fill, loadProfile, parseProfile, profileNames } from './profile.ts';
import { UsageError } from '../errors.ts';
import { rootDeviceOf } from '../boot/witnesses.ts';
import { testFolder } from '../testdata/test-folder.ts';

// OpenBSD console text in the exact line formats that boot(8), the kernel and resflash print.
const openbsd = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');

test('both built-in profiles load', (t) => {
  t.deepEqual(profileNames(), ['fixture', 'generic', 'openbsd-resflash']);
  for (const name of profileNames()) t.is(loadProfile(name).name, name);
});

test('the OpenBSD profile reads the root device from an OpenBSD boot and dmesg', (t) => {
  const dmesg = openbsd('openbsd-boot-dmesg.txt');
  const profile = loadProfile('openbsd-resflash');
  const found = profile.identify.console!.exec(dmesg);
  t.is(fill(profile.identify.deviceTemplate, { device: found?.groups?.device ?? '' }), 'hd0d', 'the kernel\'s "root on sd0d" names hd0d');
  t.is(profile.loader.booting.exec(dmesg)?.groups?.device, 'hd0d', 'boot(8)\'s "booting hd0d:/bsd" names the device it loads');
  t.true(profile.loader.banner.test(dmesg), 'boot(8)\'s banner is recognised');
  t.true(profile.kernel.userlandStarted.test(dmesg), 'the kernel phase ends at "root on ..."');
  t.true(dmesg.includes(profile.shell.login!), 'the login prompt is recognised');
  t.false(profile.failFast.some((f) => f.regex.test(dmesg)), 'a healthy boot trips no fail-fast pattern');
});

test('the root each profile\'s root command reads from the mount table is one of its root devices', (t) => {
  const openbsd = loadProfile('openbsd-resflash');
  const source = openbsd.identify.rootPattern!.exec(readFileSync(new URL('./testdata/openbsd-mount.txt', import.meta.url), 'utf8'))?.groups?.source;
  t.is(source, '/dev/sd0d', 'OpenBSD\'s mount prints "/dev/sd0d on / type ffs (local, read-only)"');
  t.is(rootDeviceOf(source!, openbsd.partitions), 'hd0d');
  const fixture = loadProfile('fixture');
  const mounted = fixture.identify.rootPattern!.exec('/dev/vda6\n')?.groups?.source;
  t.is(rootDeviceOf(mounted!, fixture.partitions), 'hd0e', 'the fixture\'s /proc/mounts names /dev/vda6');
  const raw = JSON.parse(readFileSync(new URL('./profiles/fixture.json', import.meta.url), 'utf8'));
  raw.identify.rootPattern = '^(/dev/\\S+)';
  t.throws(() => parseProfile('mine', 'mine.json', raw), { message: 'mine.json: identify.rootPattern: needs a (?<source>...) group for the mounted device' });
});

test('the OpenBSD profile recognises resflash upgrade output and the FAQ failover command', (t) => {
  const upgrade = openbsd('resflash-upgrade.txt');
  const profile = loadProfile('openbsd-resflash');
  t.true(profile.commands.upgradeDone.test(upgrade), 'the upgrade\'s success line is recognised');
  const positions = profile.commands.upgradeSteps.map((step) => upgrade.indexOf(step));
  t.false(positions.includes(-1), `every upgrade step of the profile appears in resflash's output: ${profile.commands.upgradeSteps.join(', ')}`);
  t.deepEqual(positions, [...positions].sort((x, y) => x - y), 'the profile lists the upgrade steps in the order resflash prints them');
  t.false(profile.commands.upgradeRefused.test(upgrade), 'a successful upgrade is not taken for a refusal');
  const failover = openbsd('openbsd-failover.txt');
  t.true(failover.includes(`boot> ${fill(profile.loader.selectDevice, { device: 'hd0d' })}`), 'the failover command is typed as the FAQ does: "set device hd0d"');
  t.true(profile.loader.prompt.test('boot> '));
  t.false(profile.loader.prompt.test('press ESC for the boot> prompt'));
});

test('the fixture profile matches its own boot and shell lines', (t) => {
  const p = loadProfile('fixture');
  const booted = p.identify.console!.exec(
    'RESFLASH-FIXTURE: booted from hd0e (root /dev/vda6, ro), version 2, boot id 0b6f1c7e-8f2d-4c55-9a43-2c5b1b7d9e10\n',
  );
  t.deepEqual({ ...booted?.groups }, { device: 'hd0e', version: '2', bootId: '0b6f1c7e-8f2d-4c55-9a43-2c5b1b7d9e10' });
  t.true(p.shell.prompt.test('resflash(hd0e)# '));
  t.is(p.loader.interruptKey, '\x1b');
});

test('a user profile with a mistake gets an error naming file and key', (t) => {
  const raw = JSON.parse(readFileSync(new URL('./profiles/fixture.json', import.meta.url), 'utf8'));
  raw.loader.interruptKey = 'F12';
  const error = t.throws(() => parseProfile('mine', 'mine.json', raw), { instanceOf: UsageError });
  t.is(error.message, 'mine.json: loader.interruptKey: unknown key "F12": use escape, enter, space, tab, backspace, ctrl-<letter> or one printable character');
  raw.loader.interruptKey = 'escape';
  raw.shell.prompt = '(unclosed';
  t.throws(() => parseProfile('mine', 'mine.json', raw), { message: /mine\.json: shell\.prompt: not a valid regular expression/ });
});

test('an unknown profile name lists the built-in ones', (t) => {
  t.throws(() => loadProfile('openbsd'), { message: 'unknown profile "openbsd": choose one of fixture, generic, openbsd-resflash or pass a path to a profile .json' });
});

test('a profile from a file: a missing file, broken JSON, a typo, a missing or mistyped key are each named with the fix', async (t) => {
  const dir = await testFolder(t, 'profile');
  const write = (name: string, value: unknown) => {
    const file = join(dir, name);
    writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
    return file;
  };
  const good = JSON.parse(readFileSync(new URL('./profiles/fixture.json', import.meta.url), 'utf8'));
  t.is(loadProfile(write('mine.json', good)).partitions.hd0e, '6', 'a copy of a built-in profile loads from a path');

  t.throws(() => loadProfile(join(dir, 'gone.json')), {
    instanceOf: UsageError,
    message: `profile file ${join(dir, 'gone.json')} not found: check the path, or name a profile (fixture, generic, openbsd-resflash)`,
  });
  t.throws(() => loadProfile(write('broken.json', '{ "description": "x", }')), {
    message: /broken\.json: cannot read the profile: .*JSON.* \(fix the JSON; .*fixture\.json is a complete example\)/,
  });
  t.throws(() => loadProfile(write('typo.json', { ...good, partitons: {} })), {
    message: new RegExp(`^${join(dir, 'typo.json')}: unknown key "partitons": did you mean "partitions"\\? \\(the keys are "description", .*"failFast"\\)$`),
  });
  const { shell: _shell, ...noShell } = good;
  t.throws(() => loadProfile(write('no-shell.json', noShell)), {
    message: `${join(dir, 'no-shell.json')}: "commands" needs "shell" (where they are typed)`,
  });
  t.throws(() => loadProfile(write('wrong-type.json', { ...good, partitions: { hd0d: 5 } })), {
    message: `${join(dir, 'wrong-type.json')}: partitions.hd0d: expected a non-empty string, got 5 (number)`,
  });
  t.throws(() => loadProfile(write('array.json', [])), { message: `${join(dir, 'array.json')}: expected a JSON object at the top level, got [] (array)` });
});

test('generic: a profile without loader and shell sections loads, expects neither stage and fails fast on nothing', (t) => {
  const generic = loadProfile('generic');
  t.deepEqual(generic.stages, { loader: false, shell: false });
  t.deepEqual(generic.failFast, []);
  t.false(generic.loader.prompt.test('boot> '), 'the absent prompt never matches');
  t.deepEqual(loadProfile('fixture').stages, { loader: true, shell: true });
});

test('a shell without a loader, or commands without a shell, is refused with the fix', (t) => {
  const fixture = JSON.parse(readFileSync(new URL('./profiles/fixture.json', import.meta.url), 'utf8')) as Record<string, unknown>;
  const { loader: _loader, ...noLoader } = fixture;
  t.throws(() => parseProfile('x', 'x.json', noLoader), { instanceOf: UsageError, message: 'x.json: "shell" needs "loader" (the harness reaches the shell through the loader)' });
  t.throws(() => parseProfile('x', 'x.json', { description: 'x', commands: fixture.commands }), { message: /"commands" needs "shell"/ });
  t.throws(() => parseProfile('x', 'x.json', { description: 'x', shel: {} }), { message: /unknown key "shel": did you mean "shell"\?/ });
});

test('the OpenBSD profile names disks and partitions as OpenBSD does; the fixture profile leaves them to the vm-config', (t) => {
  const names = loadProfile('openbsd-resflash').deviceNames!;
  t.is(fill(names.partition, { n: '0', partition: loadProfile('openbsd-resflash').partitions.hd0e! }), '/dev/sd0e');
  t.is(fill(names.disk, { n: '1' }), '/dev/sd1c', 'the first extra disk is read whole through its c partition');
  t.is(loadProfile('fixture').deviceNames, undefined);
});

// Console transcripts recorded from boots of the OpenBSD-shaped fixture that failed: a crash state of the
// unsafe-upgrade variant's upgrade (boot.conf flipped to an empty root), an image whose /cfg has a wrong group
// descriptor (rc's check of /cfg), and one whose /cfg has no superblock (the initramfs panics and enters ddb).
test('each fail-fast pattern of the OpenBSD profile fires first on the failure it names', (t) => {
  const profile = loadProfile('openbsd-resflash');
  const first = (text: string) =>
    profile.failFast
      .map((f) => ({ name: f.name, index: text.search(f.regex) }))
      .filter((f) => f.index >= 0)
      .sort((a, b) => a.index - b.index)[0]?.name;
  t.is(first(openbsd('openbsd-unsafe-upgrade-crash-state.txt')), 'boot stage failure');
  t.is(first(openbsd('openbsd-fsck-failure.txt')), 'fsck failure');
  const panic = openbsd('openbsd-panic.txt');
  t.is(first(panic), 'kernel panic');
  const ddb = profile.failFast.find((f) => f.name === 'kernel debugger')!;
  t.regex(panic, ddb.regex, 'after the panic comes ddb: "Stopped at", the trace, the ddb{0}> prompt');
  t.false(ddb.regex.test('Stopped at      db_enter+0x14:  popq    %rbp\n'), 'without ddb\'s prompt, a "Stopped at" line is not taken for ddb');
});

// Console transcripts recorded from the damaged-boot scenario, one per damage a built-in profile names (provokedBy):
// testdata/damaged-boot/<profile>--<damage>.txt, the boot of the image with that damage up to the fail-fast line, and
// <profile>--<damage>--<machine>.txt where another boot path (the firmware loading the kernel) meets the damage.
test('each fail-fast pattern a built-in profile marks with provokedBy is the first to fire on a recorded boot with that damage', (t) => {
  const folder = new URL('./testdata/damaged-boot/', import.meta.url);
  const recorded = readdirSync(folder);
  let checked = 0;
  for (const name of ['fixture', 'openbsd-resflash']) {
    const profile = loadProfile(name);
    for (const { name: pattern, provokedBy } of profile.failFast.filter((f) => f.provokedBy)) {
      const files = recorded.filter((f) => f === `${name}--${provokedBy}.txt` || f.startsWith(`${name}--${provokedBy}--`));
      t.true(files.includes(`${name}--${provokedBy}.txt`), `${name}: a boot with ${provokedBy} is recorded`);
      for (const file of files) {
        const text = readFileSync(new URL(file, folder), 'utf8');
        const fired = profile.failFast
          .map((f) => ({ name: f.name, index: text.search(f.regex) }))
          .filter((f) => f.index >= 0)
          .sort((a, b) => a.index - b.index)[0]?.name;
        t.is(fired, pattern, `${file}: the boot with ${provokedBy} fires "${pattern}" first`);
        checked++;
      }
    }
  }
  t.is(checked, 8, 'four damages on the OpenBSD profile, three on the fixture\'s, one of them also where U-Boot loads the kernel');
});

test('a failFast entry names a known damage, and one damage provokes one pattern', (t) => {
  const raw = JSON.parse(readFileSync(new URL('./profiles/fixture.json', import.meta.url), 'utf8'));
  raw.failFast[0].provokedBy = 'cut-power';
  t.throws(() => parseProfile('mine', 'mine.json', raw), { message: /^mine\.json: failFast\[0\]\.provokedBy: expected one of "root-unreadable", "cfg-unmountable", .*got "cut-power"/ });
  raw.failFast[0].provokedBy = 'root-unreadable';
  t.throws(() => parseProfile('mine', 'mine.json', raw), {
    message: 'mine.json: failFast: two patterns name "provokedBy": "root-unreadable"; a damage provokes one of them, keep it on that one',
  });
});
