// Test helper: a folder of the test's own in the system's temporary folder, removed with all it holds when the test
// ends, pass or fail (ava runs teardowns after failed assertions and thrown errors too). The folders are named after
// the test process (bp-<pid>-...), so that those of a test process killed before its teardowns are swept by the next
// bootproof process, as its own are.
import { mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTempFolder, ownedFolderPrefix } from '../qemu/temp-folder.ts';

/** What of ava's ExecutionContext the folders need. */
export interface Teardown {
  teardown(fn: () => void | Promise<void>): void;
}

// maxRetries: a child process (QEMU, a browser) may still be writing into the folder while the test ends.
const removal = { recursive: true, force: true, maxRetries: 5 } as const;

/** A new folder bp-<pid>-<label>-XXXXXX, removed when the test `t` ends. */
export async function testFolder(t: Teardown, label: string): Promise<string> {
  const { path } = await createTempFolder(label);
  t.teardown(() => rm(path, removal));
  return path;
}

/** testFolder for a test that is not async. */
export function testFolderSync(t: Teardown, label: string): string {
  const path = mkdtempSync(join(tmpdir(), ownedFolderPrefix(label)));
  t.teardown(() => rmSync(path, removal));
  return path;
}
