// The matrix's wall time: the latest whole nightly and CI slice as measured (their run folders in reports/), and
// both as projected from the history by what --list would print, with the jobs this machine runs at once.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { matrixRequest, nightlyProfiles } from '../harness/cli/run.ts';
import { projectRun } from '../harness/runner/list.ts';
import { scenarioNames } from '../harness/runner/scenario-files.ts';
import type { Results } from '../harness/results/model.ts';

const print = (name: string, value: string | number) => console.log(`${name}: ${value}`);
const minutes = (ms: number) => (ms / 60_000).toFixed(1);

/** Wall minutes of the run folder `dir` if it finished, else undefined. */
async function wallMs(dir: string): Promise<number | undefined> {
  const results = await readFile(join(dir, 'results.json'), 'utf8').then((text) => JSON.parse(text) as Results, () => undefined);
  const run = results?.run;
  return run?.complete && run.finishedAt ? Date.parse(run.finishedAt) - Date.parse(run.startedAt) : undefined;
}

/**
 * The latest finished run named `prefix-STAMP`, with the folders of the same command beside it (`prefix-STAMP-*`:
 * the nightly's OpenBSD leg, the CI slice's OpenBSD and example runs), summed.
 */
async function measured(reports: string, prefix: string): Promise<{ stamp: string; ms: number } | undefined> {
  const names = await readdir(reports).catch(() => [] as string[]);
  const stamps = names.flatMap((n) => (new RegExp(`^${prefix}-(\\d{8}-\\d{6})$`).exec(n) ? [n.slice(prefix.length + 1)] : [])).sort().reverse();
  for (const stamp of stamps) {
    const main = await wallMs(join(reports, `${prefix}-${stamp}`));
    if (main === undefined) continue;
    let ms = main;
    for (const other of names.filter((n) => n.startsWith(`${prefix}-${stamp}-`))) ms += (await wallMs(join(reports, other))) ?? 0;
    return { stamp, ms };
  }
  return undefined;
}

async function projected(legs: { profile: string; machines?: string[] }[], slice: 'ci' | 'full'): Promise<string> {
  let ms = 0;
  let withoutHistory = 0;
  for (const leg of legs) {
    const request = matrixRequest({ profile: leg.profile, out: join('reports', 'bench-projection') }, { name: 'nightly', scenarios: scenarioNames(), machines: leg.machines, slice });
    const projection = await projectRun(request);
    ms += projection.wallMs;
    withoutHistory += projection.withoutHistory;
  }
  if (ms === 0) return `unknown (projected, but the history has none of its ${withoutHistory} tests)`;
  return withoutHistory > 0 ? `${minutes(ms)} (projected; ${withoutHistory} tests without history not counted)` : `${minutes(ms)} (projected)`;
}

export async function benchMatrix(reports = 'reports'): Promise<void> {
  const nightly = await measured(reports, 'nightly');
  print('nightly_wall_min_measured', nightly ? `${minutes(nightly.ms)} (reports/nightly-${nightly.stamp}*)` : 'none (no finished nightly in reports/)');
  print('nightly_wall_min_projected', await projected([...nightlyProfiles], 'full'));
  const slice = await measured(reports, 'test');
  print('ci_slice_wall_min_measured', slice ? `${minutes(slice.ms)} (reports/test-${slice.stamp}*)` : 'none (no finished npm test in reports/)');
  print('ci_slice_wall_min_projected', await projected([nightlyProfiles[0]!], 'ci'));
}
