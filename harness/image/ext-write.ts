// Replaces one file in an ext2/3/4 filesystem inside an image, in place and without mounting it (debugfs -w), keeping
// the file's mode and owner.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { execa } from 'execa';
import { BootproofError } from '../errors.ts';

/** Writes `content` as `path` in the filesystem at `startByte` of `image`; the file must exist already. */
export async function writeExtFile(image: string, startByte: number, path: string, content: Buffer | string): Promise<void> {
  const target = `${image}?offset=${startByte}`;
  const inode = await debugfs(['-R', `stat ${path}`, target], `read ${path}`);
  const mode = /Mode:\s+(\d+)/.exec(inode)?.[1];
  const owner = /User:\s+(\d+)\s+Group:\s+(\d+)/.exec(inode);
  if (!/Type: regular/.test(inode) || !mode || !owner) throw new BootproofError(`${image} (offset ${startByte}): ${path} is not a regular file`);
  const dir = await mkdtemp(join(tmpdir(), 'bootproof-ext-write-'));
  try {
    const source = join(dir, 'content');
    await writeFile(source, content);
    const name = posix.basename(path);
    const commands = [
      `cd ${posix.dirname(path)}`,
      `rm ${name}`,
      `write ${source} ${name}`,
      `sif ${name} mode 0${(0o100000 | parseInt(mode, 8)).toString(8)}`,
      `sif ${name} uid ${owner[1]}`,
      `sif ${name} gid ${owner[2]}`,
    ];
    await writeFile(join(dir, 'commands'), `${commands.join('\n')}\n`);
    await debugfs(['-w', '-f', join(dir, 'commands'), target], `write ${path}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs debugfs, which exits 0 even when a command fails: any line on stderr but its banner is a failure. */
async function debugfs(args: string[], what: string): Promise<string> {
  const result = await execa('debugfs', args, { reject: false });
  const errors = result.stderr.split('\n').filter((line) => line && !line.startsWith('debugfs '));
  if (result.exitCode !== 0 || errors.length > 0) {
    throw new BootproofError(`debugfs could not ${what} in ${args.at(-1)}: ${errors.join('; ') || `exit ${result.exitCode}`}`);
  }
  return result.stdout;
}
