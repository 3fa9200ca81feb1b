// `bootproof crash-states`: boots every crash state of a recorded upgrade on one machine.
import { UsageError } from '../errors.ts';
import { command, type Values } from './command.ts';
import { fixtureOnly, matrixOptions, matrixUsage, runMatrix } from './run.ts';
import { machineOptions, machineUsage, overridesFrom } from './media-options.ts';
import { count } from './shared.ts';

/** The options of the crash-states scenario, which validate takes too. */
export const crashStateOptions = {
  'max-states': { type: 'string' },
  seed: { type: 'string' },
  subsets: { type: 'string' },
  'state-jobs': { type: 'string' },
} as const;

export const crashStateUsage = `  --max-states N         crash states judged (booted once per distinct content), every flush point first (default 400)
  --subsets K            seeded random subsets of an epoch's unflushed writes lost, among the states (default 8)
  --seed N               seed of those subsets: the same seed and upgrade give the same states (default 1)
  --state-jobs N         distinct crash states booted at once, each on its own machine (default 1)`;

export function crashStateSettings(values: Values<typeof crashStateOptions>): Record<string, string> {
  const settings: Record<string, string> = { BOOTPROOF_MAX_STATES: String(count('--max-states', values['max-states'], 400)) };
  if (values.subsets !== undefined) settings.BOOTPROOF_SUBSETS = String(count('--subsets', values.subsets, 8));
  if (values.seed !== undefined) settings.BOOTPROOF_SEED = String(count('--seed', values.seed, 1));
  if (values['state-jobs'] !== undefined) {
    const jobs = count('--state-jobs', values['state-jobs'], 1);
    if (jobs < 1) throw new UsageError('--state-jobs: expected at least 1 (crash states booted at once)');
    settings.BOOTPROOF_STATE_JOBS = String(jobs);
  }
  return settings;
}

export const crashStates = command({
  name: 'crash-states',
  usage: `usage: bootproof crash-states --machine M [options]
boot every crash state of a recorded upgrade of the fixture (your own image: bootproof validate --scenario crash-states)

  --machine M            the machine, e.g. amd64-bios
${crashStateUsage}
${machineUsage}
${matrixUsage}
--retries defaults to 0 here.`,
  options: { machine: { type: 'string' }, ...crashStateOptions, ...machineOptions, ...matrixOptions },
  refuses: fixtureOnly('crash-states'),
  async run(values) {
    if (!values.machine) throw new UsageError('crash-states needs --machine (e.g. amd64-bios)');
    return runMatrix(
      { ...values, retries: values.retries ?? '0' },
      { name: 'run', scenarios: ['crash-states'], machines: values.machine.split(','), settings: crashStateSettings(values), overrides: await overridesFrom(values) },
    );
  },
});
