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
