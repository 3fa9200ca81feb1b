// `bootproof report build DIR` and `report merge DIR... --out DIR`; a finished nightly (or merged nightly shards)
// joins the history beside the folder.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { writeReport } from '../report/write-report.ts';
import type { Results } from '../results/model.ts';
import { mergeRunFolders } from '../report/merge.ts';
import { appendHistory, belongsInHistory, historyFileFor } from '../report/history.ts';
import { command } from './command.ts';

export const reportBuild = command({
  name: 'report build',
  usage: `usage: bootproof report build DIR
rebuild results.json, junit.xml and index.html of a run folder`,
  options: {},
  positionals: true,
  async run(_values, dirs) {
    if (dirs.length !== 1) throw new UsageError(`report build needs exactly one run folder, got ${dirs.length}: bootproof report build DIR`);
    const runDir = resolve(dirs[0]!);
    if (!existsSync(join(runDir, 'run.json')) && !existsSync(join(runDir, 'records.jsonl'))) {
      throw new UsageError(`report build: ${runDir} is not a run folder (no run.json or records.jsonl): name a folder written by bootproof run or nightly`);
    }
    return finish(runDir, await writeReport(runDir, await recordedComplete(runDir)));
  },
});

export const reportMerge = command({
  name: 'report merge',
  usage: `usage: bootproof report merge DIR... --out DIR
join shard run folders into one report folder

  --out DIR              a new folder for the merged report`,
  options: { out: { type: 'string' } },
  positionals: true,
  async run(values, dirs) {
    if (!values.out) throw new UsageError('report merge needs --out DIR, a new folder for the merged report');
    const runDir = resolve(values.out);
    return finish(runDir, await mergeRunFolders(dirs, runDir));
  },
});

async function finish(runDir: string, results: Results): Promise<number> {
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
