import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createTempFolder, removeOrphanedTempFolders } from './temp-folder.ts';
import { testFolder } from '../testdata/test-folder.ts';

/** The PID of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

/** A process that lives until the test ends. */
function livePid(t: ExecutionContext): number {
  const child = spawn('sleep', ['600'], { stdio: 'ignore' });
  t.teardown(() => void child.kill('SIGKILL'));
  return child.pid!;
}

/** An empty folder, made the system's temporary folder (TMPDIR) until the test ends. */
async function useTempDir(t: ExecutionContext): Promise<string> {
  const folder = await testFolder(t, 'temp-folder-test');
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = folder;
  t.teardown(() => {
    process.env.TMPDIR = saved;
    if (saved === undefined) delete process.env.TMPDIR;
  });
  return folder;
}

/** Makes the named folders, each holding a file as a machine's would. */
async function makeFolders(parent: string, names: string[]): Promise<void> {
  for (const name of names) {
    await mkdir(join(parent, name));
    await writeFile(join(parent, name, 'disk.qcow2'), 'overlay');
  }
}

test.serial("a dead process's folders are removed; a live process's folders and other names are kept", async (t) => {
  const tmp = await useTempDir(t);
  const dead = await deadPid();
  const live = livePid(t);
  const orphans = [`bp-${dead}-Xq3z9a`, `bp-${dead}-crash-Ab12cd`];
  const kept = [
    `bp-${live}-Xq3z9a`,
    `bp-${process.pid}-Xq3z9a`,
    `bp--${dead}-S3EvusFfe2Fx`,
    `bp-vm-${dead}`,
    `bp-${dead}`,
    `tmp-${dead}-Xq3z9a`,
  ];
  await makeFolders(tmp, [...orphans, ...kept]);
  await writeFile(join(tmp, `bp-${dead}-notes.txt`), 'a file, not a folder');

  const removed = await removeOrphanedTempFolders();
  t.deepEqual(removed.sort(), orphans.map((name) => join(tmp, name)).sort());
  t.deepEqual((await readdir(tmp)).sort(), [...kept, `bp-${dead}-notes.txt`].sort());
});

test.serial('a new folder is named after this process, and the first one made removes the orphans first', async (t) => {
  const tmp = await useTempDir(t);
  const dead = await deadPid();
  await makeFolders(tmp, [`bp-${dead}-Xq3z9a`]);

  const folder = await createTempFolder();
  t.is(dirname(folder.path), tmp);
  t.regex(basename(folder.path), new RegExp(`^bp-${process.pid}-\\w{6}$`));
  t.false(existsSync(join(tmp, `bp-${dead}-Xq3z9a`)), "the dead process's folder is gone");
  const labelled = await createTempFolder('crash');
  t.regex(basename(labelled.path), new RegExp(`^bp-${process.pid}-crash-\\w{6}$`));

  await writeFile(join(folder.path, 'disk.qcow2'), 'overlay');
  await folder.cleanup();
  await labelled.cleanup();
  t.deepEqual(await readdir(tmp), [], 'cleanup removes the folder and what it holds');
});
