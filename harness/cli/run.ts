// `bootproof run` and `bootproof nightly`, and the run of scenarios × machines that crash-states and validate end in.
import { join, resolve } from 'node:path';
import { availableParallelism, freemem } from 'node:os';
import { UsageError } from '../errors.ts';
import { parseAccelChoice } from '../qemu/accel.ts';
import { fixtureVariants } from '../fixture/fixture.ts';
import { runScenarios, type RunRequest } from '../runner/run.ts';
import { listScenarios } from '../runner/list.ts';
import { scenarioNames } from '../runner/scenario-files.ts';
import type { CrashStateRow, Results } from '../results/model.ts';
import { command, type Values } from './command.ts';
import { count, timestamp } from './shared.ts';
import { machineOptions, machineUsage, mediaFlags, mediaOptions, mediaUsage, overridesFrom } from './media-options.ts';
import { loadVmConfig } from '../config/vm-config.ts';
import { withOverrides } from '../config/overrides.ts';
import type { MachineOverrides } from '../config/boot-media.ts';

/** The options of every command that runs scenarios: run, nightly, crash-states and validate. */
export const matrixOptions = {
  accel: { type: 'string' },
  retries: { type: 'string' },
  repeat: { type: 'string' },
  jobs: { type: 'string', short: 'j' },
  shard: { type: 'string' },
  variant: { type: 'string' },
  profile: { type: 'string' },
  'keep-on-failure': { type: 'boolean' },
  'known-failures': { type: 'string' },
  out: { type: 'string' },
} as const;

export const matrixUsage = `  --accel kvm|tcg|auto   accelerator (auto: KVM only if a probe boot proves it works)
  --retries N            run a failed test again up to N times (default 1); passing on a retry is "flaky"
  --repeat N             run every selected test N times to shake out races; differing results are "flaky"
  -j, --jobs N           tests run at the same time (default: one per core, as free memory allows)
  --shard i/n            run only the i-th of n stable slices of the matrix (join them with report merge)
  --variant V            fixture variant (${fixtureVariants.join(', ')})
  --profile P            target profile (fixture, openbsd-resflash, or a .json file)
  --keep-on-failure      keep a failed test's VM paused at the failure; the report gives the command resuming it
  --known-failures FILE  expected failures (scenario, machine, reason, expiry); default ./known-failures.json if present
  --out DIR              the report folder (default: a new folder in reports/)`;

/** Why the commands that boot only the built-in fixtures refuse media options. */
export function fixtureOnly(name: string): { flags: string[]; why: string } {
  return {
    flags: mediaFlags,
    why:
      `${name} boots the built-in fixtures: to boot your own media, run bootproof run --machine M --scenario S --image IMG (or --cdrom, --kernel, ...); ` +
      'to check A/B images, bootproof validate --profile P --image IMG --fs FS; to look at them, bootproof console --machine M --image IMG',
  };
}

const sliceUsage = `  --slice ci|full        ci: only the machines each scenario names for CI (default full)
  --list                 print every test that would run (and each skip, with its reason), with its expected
                         duration from the history beside the report folder, and the total; boots nothing`;
const listOption = { list: { type: 'boolean' } } as const;

export const run = command({
  name: 'run',
  usage: `usage: bootproof run --machine M[,M...] --scenario S[,S...] [options]
run scenarios on machines

  --machine M[,M...]     the machines, e.g. amd64-bios,amd64-uefi (see bootproof machines)
  --scenario S[,S...]    the scenarios, e.g. boot,upgrade,failover
${sliceUsage}
${mediaUsage}
                         (with --image, scenarios needing A/B roots are skipped, and --profile defaults to generic)
${machineUsage}
${matrixUsage}`,
  options: { machine: { type: 'string' }, scenario: { type: 'string' }, slice: { type: 'string' }, ...listOption, ...mediaOptions, ...machineOptions, ...matrixOptions },
  async run(values) {
    if (!values.machine || !values.scenario) throw new UsageError('run needs --machine and --scenario (see bootproof run --help)');
    const overrides = await overridesFrom(values);
    return runMatrix(
      { ...values, profile: values.profile ?? (values.image ? 'generic' : undefined) },
      { name: 'run', scenarios: values.scenario.split(','), machines: values.machine.split(','), slice: values.slice, overrides, list: values.list },
    );
  },
});

export const nightly = command({
  name: 'nightly',
  usage: `usage: bootproof nightly [options]
every scenario on every machine it applies to

${sliceUsage}
${machineUsage}
${matrixUsage}`,
  options: { slice: { type: 'string' }, ...listOption, ...machineOptions, ...matrixOptions },
  refuses: fixtureOnly('nightly'),
  async run(values) {
    const overrides = await overridesFrom(values);
    const out = resolve(values.out ?? join('reports', `nightly-${timestamp()}`));
    const legs = nightlyLegs(values.profile);
    // An interrupted leg (the run's own handler stops its tests) ends the nightly: the next leg does not start.
    let interrupted = false;
    const interrupt = () => (interrupted = true);
    process.on('SIGINT', interrupt).on('SIGTERM', interrupt);
    let exitCode = 0;
    try {
      for (const [i, leg] of legs.entries()) {
        if (interrupted) break;
        if (legs.length > 1) console.log(`nightly: profile ${leg.profile}${leg.machines ? ` on ${leg.machines.join(', ')}` : ', every machine'}`);
        const code = await runMatrix(
          { ...values, profile: leg.profile, out: i === 0 ? out : `${out}-${leg.profile}` },
          { name: 'nightly', scenarios: scenarioNames(), machines: leg.machines, slice: values.slice, overrides, list: values.list },
        );
        exitCode = Math.max(exitCode, code);
      }
    } finally {
      process.off('SIGINT', interrupt).off('SIGTERM', interrupt);
    }
    return interrupted ? Math.max(exitCode, 1) : exitCode;
  },
});

/**
 * What the nightly runs: the built-in fixture's profile on every machine, then each other built-in profile on the
 * machines its fixture is made and proven for, each in a report folder of its own (the first one's name, suffixed).
 */
export const nightlyProfiles: readonly { profile: string; machines?: string[] }[] = [
  { profile: 'fixture' },
  { profile: 'openbsd-resflash', machines: ['amd64-bios', 'amd64-uefi'] },
];

/** The legs for --profile P: that profile alone (on its built-in machines, if it has them); without, all of them. */
function nightlyLegs(profile: string | undefined): readonly { profile: string; machines?: string[] }[] {
  if (profile === undefined) return nightlyProfiles;
  return [nightlyProfiles.find((leg) => leg.profile === profile) ?? { profile }];
}

export interface Matrix {
  /** Names the default report folder. */
  name: string;
  scenarios: string[];
  /** Undefined: every machine each scenario applies to. */
  machines?: string[];
  slice?: string;
  /** Scenario settings passed on to the tests (e.g. BOOTPROOF_MAX_STATES). */
  settings?: Record<string, string>;
  /** The boot media and machine overrides the command line asks for, applied to every machine of the run. */
  overrides?: MachineOverrides;
  /** Print what would run (--list) instead of running it. */
  list?: boolean;
}

/** The run request a command line makes: the matrix with the run options' values and defaults. */
export function matrixRequest(values: Values<typeof matrixOptions>, matrix: Matrix): RunRequest {
  const slice = matrix.slice ?? 'full';
  if (slice !== 'ci' && slice !== 'full') throw new UsageError(`--slice: expected ci or full, got "${slice}"`);
  const out = resolve(values.out ?? join('reports', `${matrix.name}-${timestamp()}`));
  const keep = values['keep-on-failure'] ?? false;
  const overrides = matrix.overrides ?? {};
  // A machine that cannot take the media (e.g. --netboot without a NIC) stops the run before any boot.
  for (const machine of matrix.machines ?? []) withOverrides(loadVmConfig(machine), overrides);
  const settings = { ...matrix.settings, ...(Object.keys(overrides).length > 0 ? { BOOTPROOF_MACHINE_OVERRIDES: JSON.stringify(overrides) } : {}) };
  return {
    scenarios: matrix.scenarios,
    machines: matrix.machines,
    slice,
    out,
    accel: parseAccelChoice(values.accel),
    variant: values.variant ?? 'normal',
    profile: values.profile ?? 'fixture',
    command: ['bootproof', ...process.argv.slice(2)].join(' '),
    retries: count('--retries', values.retries, keep ? 0 : 1),
    repeat: Math.max(1, count('--repeat', values.repeat, 1)),
    jobs: count('--jobs', values.jobs, defaultJobs()),
    shard: values.shard,
    knownFailures: values['known-failures'],
    settings: keep ? { ...settings, BOOTPROOF_KEEP_ON_FAILURE: '1' } : settings,
  };
}

/** Runs the scenarios, prints the outcome, and resolves to the exit status. */
export async function runMatrix(values: Values<typeof matrixOptions>, matrix: Matrix): Promise<number> {
  const request = matrixRequest(values, matrix);
  const out = request.out;
  if (matrix.list) {
    const after = (['retries', 'keep-on-failure'] as const).filter((o) => values[o] !== undefined);
    if (after.length > 0) {
      throw new UsageError(`--list runs nothing, so ${after.map((o) => `--${o}`).join(' and ')} (what happens after a failure) would do nothing: drop ${after.length === 1 ? 'it' : 'them'}`);
    }
    for (const line of await listScenarios(request, matrix.name)) console.log(line);
    return 0;
  }
  const { results, exitCode } = await runScenarios(request);
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

/** Prints the crash-state tables that tests attached to their records. */
function printTables(tests: Results['tests']): void {
  for (const test of tests) {
    const rows = test.data?.crashStates as CrashStateRow[] | undefined;
    if (!rows) continue;
    console.log(`\n${test.title}: ${rows.length} crash states`);
    console.log(`${'#'.padStart(3)}  ${'state'.padEnd(14)} ${'kind'.padEnd(11)} ${'phase'.padEnd(16)} ${'entry'.padStart(6)}  outcome`);
    rows.forEach((r, i) => {
      const alike = r.sameAs ? ` (same as #${r.sameAs})` : r.readsAs ? ` (reads as #${r.readsAs})` : '';
      const outcome = r.outcome === 'failed' ? `FAILED: ${r.reason}` : `${r.outcome}${alike}`;
      const phase = `${r.phase}${r.afterSuccess ? '*' : ''}`;
      console.log(`${String(i + 1).padStart(3)}  ${r.state.padEnd(14)} ${(r.kind ?? '').padEnd(11)} ${phase.padEnd(16)} ${String(r.entry).padStart(6)}  ${outcome}`);
    });
    if (rows.some((r) => r.afterSuccess)) console.log('(* a crash there may come after the upgrade reported success: only the new version is right)');
  }
}

/** One VM per core (a TCG guest keeps one host thread busy), bounded by free memory at about 1.5 GiB per VM. */
function defaultJobs(): number {
  return Math.max(1, Math.min(availableParallelism(), Math.floor(freemem() / (1.5 * 2 ** 30))));
}
