// The run folder's records.jsonl: one JSON test record per line, appended as each test finishes.
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type TestRecord } from './model.ts';


export const recordsFile = (runDir: string) => join(runDir, 'records.jsonl');

export async function appendRecord(runDir: string, record: TestRecord): Promise<void> {
  await appendFile(recordsFile(runDir), JSON.stringify(record) + '\n');
}

/** Reads every complete record line; a line cut by a crash is ignored. */
export async function readRecords(runDir: string): Promise<TestRecord[]> {
  let text: string;
  try {
    text = await readFile(recordsFile(runDir), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as TestRecord];
      } catch {
        return [];
      }
    });
}
