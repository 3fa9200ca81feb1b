// Mutation testing of an image's own script: each mutant is a copy of the images with one line of the script changed
// in every root (and .fs) that holds it, run through the scenarios that exercise it; a mutant every scenario passes
// on survives, and names a line no scenario checks.
import { existsSync } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { UsageError } from '../errors.ts';
import { loadVmConfig } from '../config/vm-config.ts';
import { loadProfile } from '../config/profile.ts';
import type { AccelChoice } from '../qemu/accel.ts';
import { checkFixtureRequest, ensureFixture } from '../fixture/fixture.ts';
import { inspectMbrDisk } from '../image/mbr-disk.ts';
import { readExtFile } from '../image/ext-file.ts';
import { writeExtFile } from '../image/ext-write.ts';
import { refreshChecksumTrailer } from '../image/checksum-trailer.ts';
import type { FinalTest } from '../results/model.ts';
import { applyMutant, isShellScript, pickMutants, scriptMutants, type Mutant } from './mutants.ts';
import { runScenarios } from './run.ts';
import { scenarioFile } from './scenario-files.ts';

/** The scenarios that run a script, by the script's path in the root: the default of `--scenario`. */
export const scenariosForFile: Record<string, string[]> = {
  '/resflash/upgrade.sh': ['upgrade', 'bad-upgrade', 'power-cut'],
  '/resflash/resflash.save': ['cfg-persistence'],
  '/etc/rc': ['boot', 'failover'],
  '/etc/rc.shutdown': ['boot', 'upgrade'],
  '/etc/rc.cloud': ['metadata'],
};

export interface MutateRequest {
  machine: string;
  file: string;
  scenarios?: string[];
  max: number;
  seed: number;
  /** Run these mutants (by id) instead of a seeded choice. */
  ids?: number[];
  out: string;
  accel: AccelChoice;
  variant: string;
  command: string;
}

/** Where the script lives: a partition of the disk image (by its first byte and size), or a whole .fs file. */
export interface Copy {
  where: string;
  /** The file holding it, relative to a mutant's image folder. */
  file: 'disk.img' | 'root-v2.fs' | 'root-v3.fs';
  startByte: number;
  bytes?: number;
}

export type MutantOutcome =
  | { status: 'killed'; by: { test: string; claim: string }[] }
  | { status: 'survived' }
  | { status: 'not run'; reason: string };

export interface MutantResult extends Mutant {
  outcome: MutantOutcome;
  run: string;
  durationMs: number;
}

export interface MutateReport {
  machine: string;
  file: string;
  scenarios: string[];
  seed: number;
  /** Mutants the script has in all, and how many were chosen; `mutants` holds those run so far. */
  total: number;
  chosen: number;
  copies: string[];
  mutants: MutantResult[];
}

export async function runMutants(request: MutateRequest, onResult: (result: MutantResult, index: number, of: number) => void): Promise<MutateReport> {
  const config = loadVmConfig(request.machine);
  const profile = loadProfile('fixture');
  if (!request.file.startsWith('/')) throw new UsageError(`mutate: --file ${request.file}: give the script's absolute path inside the root, e.g. /resflash/upgrade.sh`);
  for (const scenario of request.scenarios ?? []) scenarioFile(scenario);
  const fixtureRequest = checkFixtureRequest(config.arch, request.variant, profile.fixtureShape);
  const fixture = await ensureFixture(fixtureRequest.arch, fixtureRequest.variant, { shape: fixtureRequest.shape });
  const sources: Record<Copy['file'], string> = { 'disk.img': fixture.disk, 'root-v2.fs': fixture.rootFs[2], 'root-v3.fs': fixture.rootFs[3] };

  const { copies, text } = await findScript(sources, request.file);
  if (!isShellScript(text)) {
    throw new UsageError(`mutate: ${request.file} is not a shell script (its first line is "${text.split('\n', 1)[0]!.slice(0, 60)}"): name a #!/bin/sh script`);
  }
  const scenarios = request.scenarios ?? scenariosForFile[request.file];
  if (!scenarios) {
    throw new UsageError(
      `mutate: no default scenarios for ${request.file} (there are for ${Object.keys(scenariosForFile).join(', ')}): name the scenarios that run it with --scenario S[,S...]`,
    );
  }
  const all = scriptMutants(text);
  const unknown = (request.ids ?? []).filter((id) => !all.some((m) => m.id === id));
  if (unknown.length > 0) throw new UsageError(`mutate: --mutants ${unknown.join(',')}: ${request.file} has mutants 1 to ${all.length}; mutants.json of a run names them`);
  const chosen = request.ids ? all.filter((m) => request.ids!.includes(m.id)) : pickMutants(all, request.max, request.seed);
  if (existsSync(join(request.out, 'mutants.json'))) throw new UsageError(`mutate: ${request.out} already holds a mutation run: choose another --out folder`);
  await mkdir(request.out, { recursive: true });
  const report: MutateReport = {
    machine: config.name,
    file: request.file,
    scenarios,
    seed: request.seed,
    total: all.length,
    chosen: chosen.length,
    copies: copies.map((c) => `${c.file}: ${c.where}`),
    mutants: [],
  };
  for (const [index, mutant] of chosen.entries()) {
    const dir = join(request.out, 'mutants', `${String(mutant.id).padStart(3, '0')}-line-${mutant.line}`);
    const started = Date.now();
    const outcome = await runOne(request, scenarios, fixture.versions, sources, copies, applyMutant(text, mutant), dir);
    const result: MutantResult = { ...mutant, outcome, run: join(dir, 'run'), durationMs: Date.now() - started };
    report.mutants.push(result);
    await writeMutateReport(request.out, report);
    onResult(result, index, chosen.length);
    if (outcome.status === 'not run' && outcome.reason === 'interrupted') break;
  }
  await writeMutateReport(request.out, report);
  return report;
}

/** Every copy of the script among the images, and its text (the disk's first root's when copies differ). */
export async function findScript(sources: Record<Copy['file'], string>, path: string): Promise<{ copies: Copy[]; text: string }> {
  const disk = sources['disk.img'];
  const findings = await inspectMbrDisk(disk, (await stat(disk)).size);
  const places: Copy[] = findings.partitions
    .filter((p) => p.filesystem?.kind.startsWith('ext') && !p.beyondImageEnd)
    .map((p) => ({ where: `partition ${p.number}`, file: 'disk.img', startByte: p.startByte, bytes: p.bytes }));
  places.push({ where: 'the first upgrade', file: 'root-v2.fs', startByte: 0 }, { where: 'the second upgrade', file: 'root-v3.fs', startByte: 0 });
  const copies: Copy[] = [];
  let text: string | undefined;
  for (const place of places) {
    const content = await readExtFile(sources[place.file], place.startByte, path);
    if (content === undefined) continue;
    copies.push(place);
    text ??= content.toString('utf8');
  }
  if (text === undefined) {
    throw new UsageError(`mutate: ${path} is in none of the image's ext2/3/4 roots nor its .fs files: check the path (e.g. /resflash/upgrade.sh, /etc/rc)`);
  }
  return { copies, text };
}

async function runOne(
  request: MutateRequest,
  scenarios: string[],
  versions: Record<1 | 2 | 3, string | undefined>,
  sources: Record<Copy['file'], string>,
  copies: Copy[],
  script: string,
  dir: string,
): Promise<MutantOutcome> {
  const images = join(dir, 'images');
  await mkdir(images, { recursive: true });
  await writeFile(join(dir, request.file.split('/').at(-1)!), script);
  try {
    for (const [name, source] of Object.entries(sources)) await execa('cp', ['--sparse=always', '--reflink=auto', source, join(images, name)]);
    for (const copy of copies) {
      const file = join(images, copy.file);
      await writeExtFile(file, copy.startByte, request.file, script);
      await refreshChecksumTrailer(file, copy.startByte, copy.bytes);
    }
    const { results } = await runScenarios({
      scenarios,
      machines: [request.machine],
      slice: 'full',
      out: join(dir, 'run'),
      accel: request.accel,
      variant: request.variant,
      profile: 'fixture',
      command: request.command,
      retries: 0,
      repeat: 1,
      jobs: 1,
      settings: {
        BOOTPROOF_IMAGE: join(images, 'disk.img'),
        BOOTPROOF_FS: JSON.stringify([
          { path: join(images, 'root-v2.fs'), version: versions[2] ?? '2' },
          { path: join(images, 'root-v3.fs'), version: versions[3] ?? '3' },
        ]),
        ...(versions[1] ? { BOOTPROOF_IMAGE_VERSION: versions[1] } : {}),
      },
    });
    if (!results.run.complete) return { status: 'not run', reason: 'interrupted' };
    return outcomeOf(results.tests);
  } finally {
    await rm(images, { recursive: true, force: true });
  }
}

/** Killed when a test failed; survived when every test ran and passed; else not run (skips, host problems). */
export function outcomeOf(tests: FinalTest[]): MutantOutcome {
  const failed = tests.filter((t) => t.status === 'failed' || t.status === 'flaky');
  const infrastructure = failed.filter((t) => t.error?.kind === 'InfrastructureError');
  if (infrastructure.length > 0) return { status: 'not run', reason: infrastructure.map((t) => `${t.title}: ${t.error!.message.split('\n', 1)[0]}`).join('; ') };
  if (failed.length > 0) return { status: 'killed', by: failed.map((t) => ({ test: t.title, claim: (t.error?.message ?? 'failed').split('\n', 1)[0]! })) };
  const passed = tests.filter((t) => t.status === 'passed');
  if (tests.length === 0) return { status: 'not run', reason: 'no test ran' };
  if (passed.length === 0) return { status: 'not run', reason: `every test was skipped: ${tests.map((t) => `${t.title}: ${t.skipReason ?? ''}`).join('; ')}` };
  return { status: 'survived' };
}

/** mutants.json (every field) and mutants.md (the table a person reads). */
async function writeMutateReport(out: string, report: MutateReport): Promise<void> {
  await writeFile(join(out, 'mutants.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(out, 'mutants.md'), mutateTable(report).join('\n') + '\n');
}

/** The report as lines: a summary, then one row per mutant. */
export function mutateTable(report: MutateReport): string[] {
  const count = (status: MutantOutcome['status']) => report.mutants.filter((m) => m.outcome.status === status).length;
  const lines = [
    `# mutants of ${report.file} on ${report.machine}`,
    '',
    `scenarios: ${report.scenarios.join(', ')}; seed ${report.seed}; ${report.chosen} of the script's ${report.total} mutants chosen, ${report.mutants.length} run`,
    `copies replaced: ${report.copies.join('; ')}`,
    `${report.mutants.length} mutants: ${count('killed')} killed, ${count('survived')} survived, ${count('not run')} not run`,
    '',
    '| # | line | change | outcome |',
    '|---|------|--------|---------|',
  ];
  for (const m of report.mutants) lines.push(`| ${m.id} | ${m.line} | ${cell(`${m.description}: ${m.original.trim()} → ${m.mutated.trim()}`)} | ${cell(describeOutcome(m.outcome))} |`);
  return lines;
}

export function describeOutcome(outcome: MutantOutcome): string {
  if (outcome.status === 'survived') return 'SURVIVED';
  if (outcome.status === 'not run') return `not run: ${outcome.reason}`;
  return `killed by ${outcome.by.map((b) => `${b.test} (${b.claim})`).join(', ')}`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
