// Joins the run folders of CI shards into one report folder: records, artefacts and run info, then the report.
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { UsageError } from '../errors.ts';
import { writeAtomic } from '../atomic.ts';
import { readRecords, recordsFile } from '../results/records.ts';
import type { Results, RunInfo, RunStart, TestRecord } from '../results/model.ts';
import { defaultProfile, readRunInfo, writeRunInfo } from '../results/run-info.ts';
import { writeReport } from './write-report.ts';

/** The run info of a merged folder: the shards' joined, plus where they came from. */
interface Shard {
  dir: string;
  info: RunInfo;
  records: TestRecord[];
}

/** Merges the run folders `shardDirs` into the new folder `outDir` and writes its results.json, junit.xml and index.html. */
export async function mergeRunFolders(shardDirs: string[], outDir: string): Promise<Results> {
  if (shardDirs.length === 0) throw new UsageError('report merge: name the run folders to merge: bootproof report merge DIR... --out DIR');
  const dirs = shardDirs.map((d) => resolve(d));
  const out = resolve(outDir);
  const repeated = dirs.find((d, i) => dirs.indexOf(d) !== i);
  if (repeated) throw new UsageError(`report merge: ${repeated} is named twice: name each run folder once`);
  if (dirs.includes(out)) throw new UsageError(`report merge: --out ${out} is one of the folders to merge: choose a new folder`);
  await checkOutDir(out);
  const shards: Shard[] = [];
  for (const dir of dirs) shards.push(await readShard(dir));
  const profiles = [...new Set(shards.map((s) => s.info.profile ?? defaultProfile))];
  if (profiles.length > 1) {
    throw new UsageError(
      `report merge: the folders ran through different profiles (${profiles.join(', ')}), whose cells would collide: merge the shards of one profile at a time (a nightly's OpenBSD leg is in DIR-openbsd-resflash)`,
    );
  }

  await mkdir(out, { recursive: true });
  const taken = new Set<string>();
  const merged: TestRecord[] = [];
  for (const [index, shard] of shards.entries()) {
    for (const record of shard.records) merged.push(await withCopiedArtifacts(record, shard.dir, index, out, taken));
  }
  merged.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  await writeRunInfo(out, mergeRunInfo(shards, out));
  await writeAtomic(recordsFile(out), merged.map((r) => JSON.stringify(r) + '\n').join(''));
  return writeReport(out, shards.every((s) => s.info.complete));
}

async function checkOutDir(out: string): Promise<void> {
  for (const name of ['run.json', 'records.jsonl']) {
    if (await exists(join(out, name))) throw new UsageError(`report merge: ${out} already holds a run: choose another --out folder`);
  }
}

async function readShard(dir: string): Promise<Shard> {
  const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
  if (!isDir || !((await exists(join(dir, 'run.json'))) || (await exists(recordsFile(dir))))) {
    throw new UsageError(`report merge: ${dir} is not a run folder (no run.json or records.jsonl): name folders written by bootproof run or nightly`);
  }
  // run.json is written when a run starts; whether it finished is only in results.json.
  const finished = await readFile(join(dir, 'results.json'), 'utf8').then(
    (text) => (JSON.parse(text) as Results).run,
    () => undefined,
  );
  const started = await readRunInfo(dir);
  const info: RunInfo = finished ?? { ...(started ?? unknownRun(dir)), complete: false };
  return { dir, info, records: await readRecords(dir) };
}

const unknownRun = (dir: string): RunInfo => ({ id: dir, startedAt: '', complete: false, accel: 'unknown', host: 'unknown', command: 'unknown' });

/** Copies the record's artefacts into `out` under the same relative path, or under shard-N/ when another shard took it. */
async function withCopiedArtifacts(record: TestRecord, shardDir: string, index: number, out: string, taken: Set<string>): Promise<TestRecord> {
  const artifacts: TestRecord['artifacts'] = {};
  for (const key of ['transcript', 'cast', 'qemuStderr', 'launches', 'bootServerLog'] as const) {
    const path = record.artifacts[key];
    if (!path) continue;
    let target = normalize(path);
    if (isAbsolute(target) || target.startsWith(`..${sep}`)) target = join(`shard-${index + 1}`, 'outside', basename(target));
    else if (taken.has(target)) target = join(`shard-${index + 1}`, target);
    taken.add(target);
    const source = resolve(shardDir, path);
    if (await exists(source)) {
      await mkdir(dirname(join(out, target)), { recursive: true });
      await copyFile(source, join(out, target));
    }
    artifacts[key] = target.split(sep).join('/');
  }
  return { ...record, artifacts };
}

function mergeRunInfo(shards: Shard[], out: string): RunStart {
  const infos = shards.map((s) => s.info);
  const unique = (values: string[]) => [...new Set(values.filter((v) => v !== ''))];
  const starts = unique(infos.map((i) => i.startedAt)).sort();
  const accels = unique(infos.map((i) => i.accel));
  const reasons = unique(infos.map((i) => (i.accelReason ? `${i.accel}: ${i.accelReason}` : '')));
  const knownFailures = infos.find((i) => i.knownFailures)?.knownFailures;
  return {
    id: out,
    startedAt: starts[0] ?? new Date().toISOString(),
    accel: accels.join(', '),
    ...(reasons.length > 0 ? { accelReason: reasons.join('; ') } : {}),
    host: unique(infos.map((i) => i.host)).join(', '),
    command: unique(infos.map((i) => i.command)).join(' ; '),
    ...(infos[0]?.profile ? { profile: infos[0].profile } : {}),
    ...(knownFailures ? { knownFailures } : {}),
    mergedFrom: shards.map((s) => s.dir),
  };
}

const exists = (path: string) => stat(path).then(() => true, () => false);
