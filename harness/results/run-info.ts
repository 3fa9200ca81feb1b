// The run folder's run.json: when the run started, where, with which accelerator. It is written as the run starts and
// says nothing of its end: whether the run finished is in results.json, which the report writes.
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeAtomic } from '../atomic.ts';
import type { RunStart } from './model.ts';

const runFile = (runDir: string) => join(runDir, 'run.json');

/** The profile of a run that names none (and of runs recorded before run.json held it). */
export const defaultProfile = 'fixture';

export function newRunInfo(id: string, accel: string, accelReason: string, command: string, profile = defaultProfile): RunStart {
  return { id, startedAt: new Date().toISOString(), accel, accelReason, host: hostname(), command, profile };
}

export async function writeRunInfo(runDir: string, info: RunStart): Promise<void> {
  await writeAtomic(runFile(runDir), JSON.stringify(info, null, 2) + '\n');
}

/** run.json. The "complete": false that older versions wrote there is overridden by every reader, as the report's is. */
export async function readRunInfo(runDir: string): Promise<RunStart | undefined> {
  try {
    return JSON.parse(await readFile(runFile(runDir), 'utf8')) as RunStart;
  } catch {
    return undefined;
  }
}
