// The `bootproof` command: run scenarios, the nightly matrix, list machines, build fixtures, rebuild reports.
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { BootproofError, InfrastructureError, UsageError } from './errors.ts';
import { loadVmConfig, machineNames, missingOnHost } from './config/vm-config.ts';
import { parseAccelChoice } from './qemu/accel.ts';
import { checkFixtureRequest, ensureFixture } from './fixture/fixture.ts';
import { runScenarios } from './runner/run.ts';
import { scenarioNames } from './runner/scenario-files.ts';
import { writeReport } from './report/write-report.ts';

const usage = `usage: bootproof <command> [options]

commands:
  run --machine M[,M...] --scenario S[,S...] [--out DIR]   run scenarios on machines
  nightly [--out DIR] [--slice ci|full]                      every scenario on every machine it applies to
  machines                                                   list the machines and whether each can run here
  fixture build --arch amd64 [--variant V] [--out DIR]       build (or reuse) a fixture image, print its folder
  report build DIR                                           rebuild results.json and junit.xml of a run folder

options of run and nightly:
  --accel kvm|tcg|auto   accelerator (auto: KVM only if a probe boot proves it works)
  --variant V            fixture variant (normal, flip-before-check, ignore-set-device, no-cfg-overlay, unsafe-upgrade)
  --profile P            target profile (fixture, openbsd-resflash, or a .json file)

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
    case 'machines':
      return listMachines();
    case 'fixture':
      if (rest[0] !== 'build') throw new UsageError(`fixture: expected "fixture build", got "fixture ${rest[0] ?? ''}"`);
      return buildFixture(values);
    case 'report':
      if (rest[0] !== 'build' || !rest[1]) throw new UsageError('report: expected "report build DIR"');
      await writeReport(resolve(rest[1]), true);
      console.log(resolve(rest[1]));
      return 0;
    default:
      throw new UsageError(`unknown command "${command}"\n${usage}`);
  }
}

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values'];

async function run(values: Values, nightly: boolean): Promise<number> {
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
  });
  const s = results.summary;
  console.log(`${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`);
  console.log(`report: ${out}`);
  return exitCode;
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
  if (!values.arch) throw new UsageError('fixture build needs --arch (amd64)');
  const { arch, variant } = checkFixtureRequest(values.arch, values.variant ?? 'normal');
  const fixture = await ensureFixture(arch, variant, values.out ? resolve(values.out) : undefined);
  console.log(fixture.dir);
  return 0;
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
