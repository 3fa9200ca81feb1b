// The `bootproof` command: run scenarios, the nightly matrix, list machines, build fixtures, rebuild and merge reports.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { availableParallelism, freemem } from 'node:os';
import { BootproofError, InfrastructureError, UsageError } from './errors.ts';
import { loadVmConfig, machineNames, missingOnHost } from './config/vm-config.ts';
import { parseAccelChoice } from './qemu/accel.ts';
import { checkFixtureRequest, ensureFixture, fixtureArches } from './fixture/fixture.ts';
import { runScenarios } from './runner/run.ts';
import { scenarioNames } from './runner/scenario-files.ts';
import { writeReport, type Results } from './report/write-report.ts';
import type { CrashStateRow } from './report/crash-state-row.ts';
import { mergeRunFolders } from './report/merge.ts';
import { inspectImage } from './image/inspect.ts';
import { checkInputs } from './image/check-inputs.ts';
import { openConsole } from './console/console-command.ts';
import { replayTest } from './console/replay-command.ts';
import { loadProfile } from './config/profile.ts';
import { packRamdiskImage } from './image/ramdisk-image.ts';
import { lookimageLines } from './image/ramdisk-header.ts';
import { appendHistory, belongsInHistory, historyFileFor } from './report/history.ts';

const usage = `usage: bootproof <command> [options]

commands:
  run --machine M[,M...] --scenario S[,S...] [--out DIR]   run scenarios on machines
  nightly [--out DIR] [--slice ci|full]                      every scenario on every machine it applies to
  crash-states --machine M [--out DIR] [--max-states N] [--drop-unflushed]
                                                             boot every crash state of a recorded upgrade
  machines                                                   list the machines and whether each can run here
  validate --profile P --image IMG --fs FS [--fs FS2] [--machines M,...] [--scenario S,...] [--out DIR]
                                                             check a user's image and .fs files, then run the scenarios on them
  console --machine M [--image IMG] [--fs FS]... [--write] [--out DIR]
                                                             your terminal on the machine's serial console; Ctrl-] for commands
  console --attach DIR                                       the same, resuming a checkpoint (e.g. kept by --keep-on-failure)
  replay DIR --test NAME [--until N] [--list]                boot a recorded test again, type its inputs, then hand you the console
  inspect IMG [--json]                                       what an image holds: partitions, filesystems, boot.conf, checksums;
                                                             for a packed ramdisk image, the header as lookimage prints it, verified
  image pack --in RAW --out IMG [--compress] [--name N] [--dataset D] [--target-size SIZE]
                                                             pack a ramdisk image behind a checksummed header (magic 0x1DEB0075)
  fixture build --arch A [--variant V] [--out DIR]           build (or reuse) a fixture image (A: amd64, ppc64el, powerpc, mips64el), print its folder
  report build DIR                                           rebuild results.json, junit.xml and index.html of a run folder
  report merge DIR... --out DIR                              join shard run folders into one report folder

options of run and nightly:
  --accel kvm|tcg|auto   accelerator (auto: KVM only if a probe boot proves it works)
  --retries N            run a failed test again up to N times (default 1); passing on a retry is "flaky"
  --repeat N             run every selected test N times to shake out races; differing results are "flaky"
  -j, --jobs N           scenario files run at the same time (default: one per two cores)
  --shard i/n            run only the i-th of n stable slices of the matrix (join them with report merge)
  --variant V            fixture variant (normal, flip-before-check, ignore-set-device, no-cfg-overlay, unsafe-upgrade, no-boot-signal)
  --profile P            target profile (fixture, openbsd-resflash, or a .json file)
  --keep-on-failure      keep a failed test's VM paused at the failure; the report gives the command resuming it
  --known-failures FILE  expected failures (scenario, machine, reason, expiry); default ./known-failures.json if present

exit status: 0 all passed, 1 a test failed, 2 bad usage or setup`;

const options = {
  machine: { type: 'string' },
  scenario: { type: 'string' },
  out: { type: 'string' },
  accel: { type: 'string' },
  variant: { type: 'string' },
  profile: { type: 'string' },
  slice: { type: 'string' },
  arch: { type: 'string' },
  retries: { type: 'string' },
  repeat: { type: 'string' },
  jobs: { type: 'string', short: 'j' },
  shard: { type: 'string' },
  'known-failures': { type: 'string' },
  'max-states': { type: 'string' },
  'drop-unflushed': { type: 'boolean' },
  json: { type: 'boolean' },
  image: { type: 'string' },
  fs: { type: 'string', multiple: true },
  machines: { type: 'string' },
  write: { type: 'boolean' },
  in: { type: 'string' },
  compress: { type: 'boolean' },
  name: { type: 'string' },
  dataset: { type: 'string' },
  'target-size': { type: 'string' },
  attach: { type: 'string' },
  test: { type: 'string' },
  until: { type: 'string' },
  list: { type: 'boolean' },
  'keep-on-failure': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${usage}`);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  switch (command) {
    case 'run':
      return run(values, false);
    case 'nightly':
      return run(values, true);
    case 'crash-states':
      return crashStates(values);
    case 'machines':
      return listMachines();
    case 'validate':
      return validate(values);
    case 'console':
      await openConsole({
        machine: values.machine,
        attach: values.attach,
        image: values.image,
        fs: values.fs ?? [],
        write: values.write ?? false,
        out: resolve(values.out ?? join('reports', `console-${timestamp()}`)),
        profile: values.profile ?? 'fixture',
        accel: parseAccelChoice(values.accel),
      });
      return 0;
    case 'replay':
      if (rest.length !== 1 || !values.test) throw new UsageError('replay needs a run folder and --test: bootproof replay DIR --test NAME [--until N]');
      await replayTest({
        runDir: rest[0]!,
        test: values.test,
        until: values.until === undefined ? undefined : Math.max(1, count('--until', values.until, 1)),
        list: values.list ?? false,
        out: resolve(values.out ?? join('reports', `replay-${timestamp()}`)),
        profile: values.profile ?? 'fixture',
        accel: parseAccelChoice(values.accel),
      });
      return 0;
    case 'inspect':
      return inspect(rest, values);
    case 'image':
      if (rest[0] !== 'pack') throw new UsageError(`image: expected "image pack", got "image ${rest[0] ?? ''}"`);
      return packImage(values);
    case 'fixture':
      if (rest[0] !== 'build') throw new UsageError(`fixture: expected "fixture build", got "fixture ${rest[0] ?? ''}"`);
      return buildFixture(values);
    case 'report':
      return report(rest, values);
    default:
      throw new UsageError(`unknown command "${command}"\n${usage}`);
  }
}

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values'];

async function run(values: Values, nightly: boolean, settings?: Record<string, string>): Promise<number> {
  if (!nightly && (!values.machine || !values.scenario)) {
    throw new UsageError('run needs --machine and --scenario (see `bootproof --help`)');
  }
  const slice = values.slice ?? 'full';
  if (slice !== 'ci' && slice !== 'full') throw new UsageError(`--slice: expected ci or full, got "${slice}"`);
  const out = resolve(values.out ?? join('reports', `${nightly ? 'nightly' : 'run'}-${timestamp()}`));
  const { results, exitCode } = await runScenarios({
    scenarios: values.scenario?.split(',') ?? scenarioNames(),
    machines: values.machine?.split(','),
    slice,
    out,
    accel: parseAccelChoice(values.accel),
    variant: values.variant ?? 'normal',
    profile: values.profile ?? 'fixture',
    command: ['bootproof', ...process.argv.slice(2)].join(' '),
    retries: count('--retries', values.retries, values['keep-on-failure'] ? 0 : 1),
    repeat: Math.max(1, count('--repeat', values.repeat, 1)),
    jobs: count('--jobs', values.jobs, defaultJobs()),
    shard: values.shard,
    knownFailures: values['known-failures'],
    settings: values['keep-on-failure'] ? { ...settings, BOOTPROOF_KEEP_ON_FAILURE: '1' } : settings,
  });
  printTables(results.tests);
  for (const test of results.tests.filter((t) => t.kept)) console.log(`${test.title} failed; its VM is kept, paused at the failure:\n  ${test.kept!.attach}`);
  const s = results.summary;
  const known = s.knownFailures > 0 ? `, ${s.knownFailures} known failure${s.knownFailures === 1 ? '' : 's'}` : '';
  console.log(`${s.passed} passed, ${s.failed} failed${known}, ${s.skipped} skipped`);
  const review = results.knownFailureReview;
  for (const e of review?.expired ?? []) console.log(`known-failures: the entry for ${e.title} expired on ${e.expires}; the failure counts`);
  for (const e of review?.nowPassing ?? []) console.log(`known-failures: ${e.title} passed; remove its entry`);
  if (s.infrastructure > 0) {
    console.log(`${s.infrastructure} could not run: the host lacks something (see the errors in the report)`);
    if (s.failed === 0) return 2;
  }
  console.log(`report: ${out}`);
  return exitCode;
}

/** `report build DIR` and `report merge DIR... --out DIR`; a finished nightly (or merged nightly shards) joins the history beside the folder. */
async function report([sub, ...dirs]: string[], values: Values): Promise<number> {
  let runDir: string;
  let results: Results;
  if (sub === 'build' && dirs.length === 1) {
    runDir = resolve(dirs[0]!);
    if (!existsSync(join(runDir, 'run.json')) && !existsSync(join(runDir, 'records.jsonl'))) {
      throw new UsageError(`report build: ${runDir} is not a run folder (no run.json or records.jsonl): name a folder written by bootproof run or nightly`);
    }
    results = await writeReport(runDir, await recordedComplete(runDir));
  } else if (sub === 'merge' && dirs.length > 0) {
    if (!values.out) throw new UsageError('report merge needs --out DIR, a new folder for the merged report');
    runDir = resolve(values.out);
    results = await mergeRunFolders(dirs, runDir);
  } else {
    throw new UsageError(`report: expected "report build DIR" or "report merge DIR... --out DIR", got "report ${[sub, ...dirs].join(' ')}"`);
  }
  if (belongsInHistory(results.run) && (await appendHistory(historyFileFor(runDir), results))) {
    console.log(`history: ${historyFileFor(runDir)}`);
  }
  console.log(runDir);
  return 0;
}

/** Whether the run was recorded as finished: rebuilding a report must not make a run that died look complete. */
async function recordedComplete(runDir: string): Promise<boolean> {
  try {
    return (JSON.parse(await readFile(join(runDir, 'results.json'), 'utf8')) as Results).run.complete === true;
  } catch {
    return false;
  }
}

async function crashStates(values: Values): Promise<number> {
  if (!values.machine) throw new UsageError('crash-states needs --machine (e.g. amd64-bios)');
  const settings: Record<string, string> = { BOOTPROOF_MAX_STATES: String(count('--max-states', values['max-states'], 40)) };
  if (values['drop-unflushed']) settings.BOOTPROOF_DROP_UNFLUSHED = '1';
  return run({ ...values, scenario: 'crash-states', retries: values.retries ?? '0' }, false, settings);
}

/** Prints the crash-state tables that tests attached to their records. */
function printTables(tests: Results['tests']): void {
  for (const test of tests) {
    const rows = test.data?.crashStates as CrashStateRow[] | undefined;
    if (!rows) continue;
    console.log(`\n${test.title}: ${rows.length} crash states`);
    console.log(`${'#'.padStart(3)}  ${'state'.padEnd(12)} ${'phase'.padEnd(18)} ${'entry'.padStart(6)}  outcome`);
    rows.forEach((r, i) => {
      const outcome = r.outcome === 'failed' ? `FAILED: ${r.reason}` : r.outcome;
      console.log(`${String(i + 1).padStart(3)}  ${r.state.padEnd(12)} ${r.phase.padEnd(18)} ${String(r.entry).padStart(6)}  ${outcome}`);
    });
  }
}

/** Checks a user's image and .fs files before any boot, then runs the scenarios on them instead of the fixture. */
async function validate(values: Values): Promise<number> {
  if (!values.profile) throw new UsageError('validate needs --profile (fixture, openbsd-resflash or a .json file describing your target)');
  if (!values.image) throw new UsageError('validate needs --image, the disk image to check (e.g. resflash-amd64.img)');
  if (!values.fs?.length) throw new UsageError('validate needs --fs, the root filesystem to upgrade to (give --fs twice for two upgrades)');
  const profile = loadProfile(values.profile);
  const asked = (values.machines ?? values.machine)?.split(',').map((m) => loadVmConfig(m.trim()));
  const checked = await checkInputs({ profile, image: values.image, fs: values.fs, machines: asked ?? [] });
  for (const note of checked.notes) console.log(`validate: ${note}`);
  const arch = checked.findings.architecture?.arch;
  const machines = asked ?? machineNames().map((m) => loadVmConfig(m)).filter((c) => (!arch || c.arch === arch) && !missingOnHost(c));
  if (machines.length === 0) throw new UsageError(`validate: no machine here emulates ${arch ?? 'this image'}: see bootproof machines`);
  console.log(`validate: the inputs look right; running on ${machines.map((m) => m.name).join(', ')}`);
  const settings = { BOOTPROOF_IMAGE: resolve(values.image), BOOTPROOF_FS: JSON.stringify(values.fs.map((f) => resolve(f))) };
  return run(
    {
      ...values,
      machine: machines.map((m) => m.name).join(','),
      scenario: values.scenario ?? scenarioNames().join(','),
      out: values.out ?? join('reports', `validate-${timestamp()}`),
    },
    false,
    settings,
  );
}

async function inspect(images: string[], values: Values): Promise<number> {
  if (images.length !== 1) throw new UsageError('inspect needs exactly one image: bootproof inspect IMG [--json]');
  const found = await inspectImage(images[0]!);
  if (values.json) {
    const { lines: _lines, ...data } = found;
    console.log(JSON.stringify(data, null, 2));
  } else {
    console.log(found.lines.join('\n'));
  }
  return 0;
}

async function packImage(values: Values): Promise<number> {
  if (!values.in || !values.out) throw new UsageError('image pack needs --in RAW and --out IMG (see `bootproof --help`)');
  const header = await packRamdiskImage(values.in, values.out, {
    compress: values.compress ?? false,
    name: values.name,
    dataset: values.dataset,
    targetSize: values['target-size'] === undefined ? undefined : parseSize('--target-size', values['target-size']),
  });
  console.log(`packed ${values.out}`);
  console.log(lookimageLines(header).join('\n'));
  return 0;
}

/** Bytes from "4294967296", "64M", "4G" or "512K" (binary units). */
function parseSize(option: string, text: string): number {
  const found = /^(\d+)([KMG]?)i?B?$/i.exec(text.trim());
  if (!found) throw new UsageError(`${option}: expected a size like 4294967296, 64M or 4G, got "${text}"`);
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[found[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Number(found[1]) * unit;
}

function listMachines(): number {
  for (const name of machineNames()) {
    const config = loadVmConfig(name);
    const missing = missingOnHost(config);
    const status = missing ? `cannot run here: ${missing}` : 'can run here';
    console.log(`${name.padEnd(14)} ${config.arch.padEnd(9)} ${config.firmware.kind.padEnd(8)} ${config.depth.padEnd(7)} ${status}`);
  }
  return 0;
}

async function buildFixture(values: Values): Promise<number> {
  if (!values.arch) throw new UsageError(`fixture build needs --arch (${fixtureArches.join(', ')})`);
  const { arch, variant } = checkFixtureRequest(values.arch, values.variant ?? 'normal');
  const fixture = await ensureFixture(arch, variant, values.out ? resolve(values.out) : undefined);
  console.log(fixture.dir);
  return 0;
}

function count(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag}: expected a non-negative whole number, got "${value}"`);
  return n;
}

/** One VM per two cores (TCG keeps a core busy per VM), bounded by free memory at about 1 GiB per VM. */
function defaultJobs(): number {
  return Math.max(1, Math.min(Math.floor(availableParallelism() / 2), Math.floor(freemem() / 2 ** 30)));
}

function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof InfrastructureError) {
      console.error(`bootproof: ${error.message}`);
      process.exit(2);
    }
    console.error(error instanceof BootproofError ? `bootproof: ${error.message}` : error);
    process.exit(1);
  },
);
