// Private temporary folders named after the process that owns them (bp-<pid>-...), so that the folders of a process
// that could not remove its own (killed by SIGKILL, or ended by a signal mid-session) are removed by the next one.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempFolder {
  path: string;
  /** Removes the folder and everything in it. */
  cleanup(): Promise<void>;
}

const owned = /^bp-(\d+)-./;

/** The PID a folder name says owns it, or undefined for a name that is not bp-<pid>-... */
export function ownerPid(name: string): number | undefined {
  const pid = Number(owned.exec(name)?.[1]);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/** Whether a process with this PID exists (one of another user counts too). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Removes the bp-<pid>-... folders in `parent` whose owner is no longer alive; returns their paths. */
export async function removeOrphanedTempFolders(parent = tmpdir()): Promise<string[]> {
  const entries = await readdir(parent, { withFileTypes: true }).catch(() => []);
  const removed: string[] = [];
  for (const entry of entries) {
    const pid = ownerPid(entry.name);
    if (!entry.isDirectory() || pid === undefined || processAlive(pid)) continue;
    const path = join(parent, entry.name);
    try {
      await rm(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // not ours to remove (another user's), or removed meanwhile
    }
  }
  return removed;
}

const swept = new Map<string, Promise<string[]>>();

/** The name a folder of this process begins with: bp-<pid>-, then the label and a dash if any. */
export function ownedFolderPrefix(label?: string): string {
  return `bp-${process.pid}-${label ? `${label}-` : ''}`;
}

/**
 * A new folder bp-<pid>-<label>-XXXXXX in the system's temporary folder; the first one a process makes there removes
 * the orphaned folders of dead processes first.
 */
export async function createTempFolder(label?: string): Promise<TempFolder> {
  const parent = tmpdir();
  if (!swept.has(parent)) swept.set(parent, removeOrphanedTempFolders(parent));
  await swept.get(parent);
  const path = await mkdtemp(join(parent, ownedFolderPrefix(label)));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}
