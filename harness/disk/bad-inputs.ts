// Damaged upgrade inputs made from a good .fs: what a bad download, a wrong file or a larger image looks like.
import { copyFile, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface BadInputs {
  /** The first half of the .fs only. */
  truncated: string;
  /** The whole .fs with 16 bytes inverted in the middle. */
  flipped: string;
  /** The .fs followed by 1 MiB more: a filesystem from a larger image. */
  larger: string;
  /** As large as the .fs, but text: not a filesystem at all. */
  notFilesystem: string;
}

export async function makeBadInputs(goodFs: string, dir: string): Promise<BadInputs> {
  const source = await open(goodFs, 'r');
  const { size } = await source.stat();
  await source.close();
  const paths: BadInputs = {
    truncated: join(dir, 'truncated.fs'),
    flipped: join(dir, 'flipped.fs'),
    larger: join(dir, 'larger.fs'),
    notFilesystem: join(dir, 'not-a-filesystem.fs'),
  };

  await copyFile(goodFs, paths.truncated);
  const truncated = await open(paths.truncated, 'r+');
  await truncated.truncate(Math.floor(size / 2 / 1048576) * 1048576);
  await truncated.close();

  await copyFile(goodFs, paths.flipped);
  const flipped = await open(paths.flipped, 'r+');
  const middle = Buffer.alloc(16);
  await flipped.read(middle, 0, 16, size / 2);
  for (let i = 0; i < middle.length; i++) middle[i] = middle[i]! ^ 0xff;
  await flipped.write(middle, 0, 16, size / 2);
  await flipped.close();

  await copyFile(goodFs, paths.larger);
  const larger = await open(paths.larger, 'r+');
  await larger.truncate(size + 1048576);
  await larger.close();

  await writeFile(paths.notFilesystem, Buffer.alloc(size, 'this is not a filesystem\n'));
  return paths;
}
