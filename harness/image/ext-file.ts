// Reads one file from an ext2/3/4 filesystem inside an image, without mounting it (e2fsprogs' debugfs).
import { execa } from 'execa';

/**
 * The file's bytes, or undefined when the filesystem has no such file or cannot be read. `catastrophic` reads without
 * the bitmaps (debugfs -c), as a loader does: a crash state's bitmap may disagree with its checksum.
 */
export async function readExtFile(image: string, startByte: number, path: string, options: { catastrophic?: boolean } = {}): Promise<Buffer | undefined> {
  const mode = options.catastrophic ? ['-c'] : [];
  const result = await execa('debugfs', [...mode, '-R', `cat ${path}`, `${image}?offset=${startByte}`], {
    encoding: 'buffer',
    reject: false,
    stripFinalNewline: false,
  });
  const errors = Buffer.from(result.stderr).toString('utf8').split('\n').filter((line) => line && !line.startsWith('debugfs ') && !/catastrophic mode/.test(line));
  if (result.exitCode !== 0 || errors.length > 0) return undefined;
  return Buffer.from(result.stdout);
}

/** Where the file's data lies in the filesystem: its block size and block numbers; undefined when it cannot be read. */
export async function extFileBlocks(image: string, startByte: number, path: string): Promise<{ blockSize: number; blocks: number[] } | undefined> {
  const source = `${image}?offset=${startByte}`;
  const [blocks, stats] = await Promise.all([
    execa('debugfs', ['-R', `blocks ${path}`, source], { reject: false }),
    execa('debugfs', ['-R', 'stats', source], { reject: false }),
  ]);
  const blockSize = Number(/^Block size:\s+(\d+)/m.exec(stats.stdout)?.[1]);
  const numbers = blocks.stdout.trim().split(/\s+/).filter(Boolean).map(Number);
  if (blocks.exitCode !== 0 || !blockSize || numbers.length === 0 || numbers.some((n) => !Number.isInteger(n))) return undefined;
  return { blockSize, blocks: numbers };
}
