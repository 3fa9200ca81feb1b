import test from 'ava';
import { bootproof } from './testdata/bootproof.ts';

const commands = ['init', 'run', 'nightly', 'crash-states', 'machines', 'validate', 'mutate', 'console', 'replay', 'inspect', 'image pack', 'fixture build', 'report build', 'report merge'];

test.serial('an option the command does not take exits 2, naming it, the command and the options it takes', async (t) => {
  const { code, out, err } = await bootproof('inspect', '--retries', '3');
  t.is(code, 2);
  t.is(out, '');
  t.is(err, 'bootproof: unknown option --retries for inspect: inspect takes --json, -h/--help (see bootproof inspect --help)');
});

test.serial('every unknown option is named, short ones too', async (t) => {
  const { code, err } = await bootproof('fixture', 'build', '--arch', 'amd64', '--slice', 'ci', '-z');
  t.is(code, 2);
  t.regex(err, /^bootproof: unknown option --slice, -z for fixture build: fixture build takes --arch, --variant, --shape, --out, -h\/--help/);
});

test.serial('the options of run are not those of nightly', async (t) => {
  const { code, err } = await bootproof('nightly', '--machine', 'amd64-bios');
  t.is(code, 2);
  t.regex(err, /unknown option --machine for nightly: nightly takes --slice, --list, --memory, --cpus, --qemu-arg, --accel, --retries, --repeat, -j\/--jobs, --shard, --variant, --profile, --keep-on-failure, --known-failures, --out, -h\/--help/);
});

for (const argv of [['crash-states', '--machine', 'amd64-bios', '--fs', 'root.fs'], ['nightly', '--image=x.img'], ['nightly', '--kernel', 'vmlinuz'], ['crash-states', '--cdrom', 'x.iso']]) {
  test.serial(`${argv.join(' ')} is refused, pointing to run, validate and console`, async (t) => {
    const { code, err } = await bootproof(...argv);
    t.is(code, 2);
    t.regex(err, new RegExp(`^bootproof: ${argv[0]} takes no --(image|fs|kernel|cdrom): ${argv[0]} boots the built-in fixtures: to boot your own media, run bootproof run --machine M --scenario S --image IMG`));
    t.regex(err, /bootproof validate --profile P --image IMG --fs FS; to look at them, bootproof console --machine M --image IMG/);
  });
}

test.serial('run takes boot media, checks them before any boot, and refuses media a machine cannot take', async (t) => {
  const missing = await bootproof('run', '--machine', 'amd64-bios', '--scenario', 'boot', '--image', 'no-such.img');
  t.is(missing.code, 2);
  t.regex(missing.err, /^bootproof: --image file no-such\.img does not exist: check the path/);
  const initrd = await bootproof('run', '--machine', 'amd64-bios', '--scenario', 'boot', '--initrd', 'package.json');
  t.is(initrd.code, 2);
  t.regex(initrd.err, /"initrd" needs "kernel"/);
  const netboot = await bootproof('run', '--machine', 'amd64-bios', '--scenario', 'boot', '--netboot', 'harness');
  t.is(netboot.code, 2);
  t.regex(netboot.err, /machine amd64-bios has no NIC, so no boot server to serve/);
  const cpus = await bootproof('run', '--machine', 'amd64-bios', '--scenario', 'boot', '--cpus', 'two');
  t.regex(cpus.err, /--cpus: expected a non-negative whole number, got "two"/);
});

test.serial('arguments a command does not take are refused', async (t) => {
  const { code, err } = await bootproof('machines', 'amd64-bios');
  t.is(code, 2);
  t.is(err, 'bootproof: machines takes no arguments, got "amd64-bios": machines takes -h/--help (see bootproof machines --help)');
});

test.serial('an option without its value is a usage error', async (t) => {
  const { code, err } = await bootproof('report', 'merge', 'a', '--out');
  t.is(code, 2);
  t.regex(err, /^bootproof: report merge: Option '--out <value>' argument missing\nreport merge takes --out, -h\/--help/);
});

test.serial('an unknown command exits 2 and lists the commands', async (t) => {
  const { code, err } = await bootproof('frobnicate', '--json');
  t.is(code, 2);
  t.regex(err, /^bootproof: unknown command "frobnicate"\nusage: bootproof <command> \[options\]/);
  t.regex(err, /report merge DIR\.\.\. --out DIR/);
});

test.serial('a command group without a known subcommand names the ones it has', async (t) => {
  t.like(await bootproof('image', 'unpack'), { code: 2, err: 'bootproof: image: expected "image pack", got "image unpack"' });
  t.like(await bootproof('report'), { code: 2, err: 'bootproof: report: expected "report build" or "report merge", got "report"' });
});

test.serial('options go after the command', async (t) => {
  const { code, err } = await bootproof('--out', 'x', 'nightly');
  t.is(code, 2);
  t.regex(err, /^bootproof: --out: name the command first/);
});

for (const name of commands) {
  test.serial(`${name} --help prints its own usage and exits 0`, async (t) => {
    const { code, out, err } = await bootproof(...name.split(' '), '--help');
    t.is(code, 0);
    t.is(err, '');
    t.true(out.startsWith(`usage: bootproof ${name}`), out);
  });
}

test.serial('-h is --help', async (t) => {
  const { code, out } = await bootproof('inspect', '-h');
  t.is(code, 0);
  t.regex(out, /^usage: bootproof inspect IMG \[--json\]\n/);
  t.regex(out, /--json +print the findings as JSON/);
});

test.serial('bootproof --help lists every command and exits 0; without a command the usage exits 2', async (t) => {
  const help = await bootproof('--help');
  t.is(help.code, 0);
  for (const name of commands) t.regex(help.out, new RegExp(`^  ${name} `, 'm'), name);
  t.like(await bootproof(), { code: 2, out: help.out });
});

test.serial('validate takes --max-states, --subsets and --seed, and checks its inputs before any boot', async (t) => {
  const missing = new URL('./testdata/missing.img', import.meta.url).pathname;
  const { code, err } = await bootproof('validate', '--profile', 'fixture', '--image', missing, '--fs', `${missing}=7.6`, '--max-states', '3', '--subsets', '2', '--seed', '9');
  t.is(code, 2);
  t.regex(err, /^bootproof: the inputs cannot be used:\n/);
  t.regex(err, /image .*missing\.img does not exist/);
});

test.serial('a usage error from a command names what it needs', async (t) => {
  t.like(await bootproof('run', '--machine', 'amd64-bios'), { code: 2, err: 'bootproof: run needs --machine and --scenario (see bootproof run --help)' });
  t.like(await bootproof('inspect', 'a.img', 'b.img'), { code: 2, err: 'bootproof: inspect needs exactly one image: bootproof inspect IMG [--json]' });
});

test.serial('mutate names what is missing or wrong before it copies or boots anything', async (t) => {
  t.like(await bootproof('mutate', '--file', '/resflash/upgrade.sh'), { code: 2, err: 'bootproof: mutate needs --machine (e.g. amd64-bios)' });
  t.like(await bootproof('mutate', '--machine', 'amd64-bios'), { code: 2, err: 'bootproof: mutate needs --file, the script inside the root (e.g. /resflash/upgrade.sh)' });
  const machine = await bootproof('mutate', '--machine', 'nope', '--file', '/resflash/upgrade.sh');
  t.is(machine.code, 2);
  t.regex(machine.err, /^bootproof: unknown machine "nope": choose one of amd64-bios/);
  t.like(await bootproof('mutate', '--machine', 'amd64-bios', '--file', '/resflash/upgrade.sh', '--max', '0'), { code: 2, err: 'bootproof: --max 0 would run no mutant: give at least 1' });
  t.like(await bootproof('mutate', '--machine', 'amd64-bios', '--file', '/resflash/upgrade.sh', '--mutants', '3', '--seed', '2'), {
    code: 2,
    err: 'bootproof: --mutants names the mutants to run, so --max and --seed (which choose them) would do nothing: drop them',
  });
  const relative = await bootproof('mutate', '--machine', 'amd64-bios', '--file', 'upgrade.sh');
  t.is(relative.code, 2);
  t.regex(relative.err, /give the script's absolute path inside the root, e\.g\. \/resflash\/upgrade\.sh/);
  const scenario = await bootproof('mutate', '--machine', 'amd64-bios', '--file', '/resflash/upgrade.sh', '--scenario', 'nope');
  t.is(scenario.code, 2);
  t.regex(scenario.err, /^bootproof: unknown scenario "nope": choose one of/);
});
