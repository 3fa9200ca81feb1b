// Reads one file from an ext2/3/4 filesystem inside an image, without mounting it (e2fsprogs' debugfs).
import { execa } from 'execa';

/** The file's bytes, or undefined when the filesystem has no such file or cannot be read. */
export async function readExtFile(image: string, startByte: number, path: string): Promise<Buffer | undefined> {
  const result = await execa('debugfs', ['-R', `cat ${path}`, `${image}?offset=${startByte}`], {
    encoding: 'buffer',
    reject: false,
    stripFinalNewline: false,
  });
  const errors = Buffer.from(result.stderr).toString('utf8').split('\n').filter((line) => line && !line.startsWith('debugfs '));
  if (result.exitCode !== 0 || errors.length > 0) return undefined;
  return Buffer.from(result.stdout);
}
