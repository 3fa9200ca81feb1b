// The sha256 of a file or of a byte range of it, streamed.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export function sha256File(path: string, range?: { start: number; bytes: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path, range ? { start: range.start, end: range.start + range.bytes - 1 } : {})
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

/** One sha256 over several byte ranges of a file, in the order given. */
export async function sha256Ranges(path: string, ranges: { start: number; bytes: number }[]): Promise<string> {
  const hash = createHash('sha256');
  for (const range of ranges) {
    if (range.bytes <= 0) continue;
    await new Promise<void>((resolve, reject) => {
      createReadStream(path, { start: range.start, end: range.start + range.bytes - 1, highWaterMark: 1024 * 1024 })
        .on('data', (chunk) => hash.update(chunk))
        .on('end', resolve)
        .on('error', reject);
    });
  }
  return hash.digest('hex');
}
