// `bootproof mutate`: mutation testing of a script in the fixture's roots against the scenarios that run it.
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { parseAccelChoice } from '../qemu/accel.ts';
import { fixtureVariants } from '../fixture/fixture.ts';
import { describeOutcome, mutateTable, runMutants, scenariosForFile } from '../runner/mutate.ts';
import { command } from './command.ts';
import { count, timestamp } from './shared.ts';

export const mutate = command({
  name: 'mutate',
  usage: `usage: bootproof mutate --machine M --file PATH [options]
change one line of a script in the image's roots at a time (mutants) and run the scenarios that use it on each:
a mutant every scenario passes on survives, and names a line no scenario checks

  --machine M            the machine, e.g. amd64-bios
  --file PATH            the script's path inside the root, e.g. /resflash/upgrade.sh
  --scenario S[,S...]    the scenarios run on every mutant (default by file: ${Object.entries(scenariosForFile)
    .map(([file, s]) => `${file.split('/').at(-1)} → ${s.join(',')}`)
    .join('; ')})
  --max N                mutants run, chosen by the seed (default 10)
  --seed N               the seed choosing them (default 1): the same seed picks the same mutants, and a larger
                         --max adds to the mutants a smaller one picks
  --mutants ID[,ID...]   run these mutants (ids as the table and mutants.json give them) instead of a choice,
                         e.g. a survivor again once a scenario checks its line
  --variant V            fixture variant (${fixtureVariants.join(', ')})
  --accel kvm|tcg|auto   accelerator (auto: KVM only if a probe boot proves it works)
  --out DIR              the report folder (default: a new folder in reports/): mutants.md, mutants.json and one
                         run folder per mutant
Scenarios run one at a time, with no retries.`,
  options: {
    machine: { type: 'string' },
    file: { type: 'string' },
    scenario: { type: 'string' },
    max: { type: 'string' },
    seed: { type: 'string' },
    mutants: { type: 'string' },
    variant: { type: 'string' },
    accel: { type: 'string' },
    out: { type: 'string' },
  },
  async run(values) {
    if (!values.machine) throw new UsageError('mutate needs --machine (e.g. amd64-bios)');
    if (!values.file) throw new UsageError('mutate needs --file, the script inside the root (e.g. /resflash/upgrade.sh)');
    const max = count('--max', values.max, 10);
    if (max === 0) throw new UsageError('--max 0 would run no mutant: give at least 1');
    const ids = values.mutants?.split(',').map((id) => count('--mutants', id.trim(), 0));
    if (ids && (values.max !== undefined || values.seed !== undefined)) {
      throw new UsageError('--mutants names the mutants to run, so --max and --seed (which choose them) would do nothing: drop them');
    }
    if (ids?.includes(0)) throw new UsageError('--mutants: mutant ids start at 1');
    const out = resolve(values.out ?? join('reports', `mutate-${timestamp()}`));
    const report = await runMutants(
      {
        machine: values.machine,
        file: values.file,
        scenarios: values.scenario?.split(',').map((s) => s.trim()),
        max,
        seed: count('--seed', values.seed, 1),
        ...(ids ? { ids } : {}),
        out,
        accel: parseAccelChoice(values.accel),
        variant: values.variant ?? 'normal',
        command: ['bootproof', ...process.argv.slice(2)].join(' '),
      },
      (m, index, of) =>
        console.log(`mutate: [${index + 1}/${of}] mutant ${m.id}, line ${m.line} (${m.description}), ${Math.round(m.durationMs / 1000)} s: ${describeOutcome(m.outcome)}`),
    );
    console.log(`\n${mutateTable(report).join('\n')}\n\nreport: ${out}`);
    return report.mutants.some((m) => m.outcome.status === 'not run') ? 2 : 0;
  },
});
