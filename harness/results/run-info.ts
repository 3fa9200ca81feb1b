// The run folder's run.json: when the run started, where, with which accelerator. It is written as the run starts and
// says nothing of its end: whether the run finished is in results.json, which the report writes.
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeAtomic } from '../atomic.ts';
import type { RunInfo, RunStart } from './model.ts';

const runFile = (runDir: string) => join(runDir, 'run.json');

/** The profile of a run that names none (and of runs recorded before run.json held it). */
export const defaultProfile = 'fixture';

export function newRunInfo(id: string, accel: string, accelReason: string, command: string, profile = defaultProfile): RunStart {
  return { id, startedAt: new Date().toISOString(), accel, accelReason, host: hostname(), command, profile };
}

/** Writes run.json; of a RunInfo, what it says of the run's end is left out. */
export async function writeRunInfo(runDir: string, info: RunStart | RunInfo): Promise<void> {
  await writeAtomic(runFile(runDir), JSON.stringify(runStart(info), null, 2) + '\n');
}

/** run.json, without what older versions wrote there of the run's end. */
export async function readRunInfo(runDir: string): Promise<RunStart | undefined> {
  try {
    return runStart(JSON.parse(await readFile(runFile(runDir), 'utf8')) as RunInfo);
  } catch {
    return undefined;
  }
}

function runStart(info: RunStart | RunInfo): RunStart {
  const { complete, finishedAt, ...start } = info as RunInfo;
  return start;
}
