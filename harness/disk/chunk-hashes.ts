// One hash of several byte ranges of an image that changes in small places: each MiB's sha256 is kept until the image
// is said to have changed there, so hashing the image again reads only what changed.
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import type { Extent } from './write-log.ts';

const CHUNK_BYTES = 1024 * 1024;

export class ChunkHashes {
  /** The sha256 of each piece read so far, by "start+bytes". */
  private readonly known = new Map<string, { start: number; bytes: number; digest: Buffer }>();

  constructor(readonly image: string) {}

  /**
   * The hex sha256 over the ranges' offsets and the sha256 of each MiB-aligned piece of them: equal for two states
   * of the image exactly when they hold the same bytes in the same ranges (as a sha256 over the bytes would be).
   */
  async digest(ranges: Extent[]): Promise<string> {
    const whole = createHash('sha256');
    const handle = await open(this.image, 'r');
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    try {
      for (const range of ranges) {
        if (range.bytes <= 0) continue;
        whole.update(`${range.start}+${range.bytes}\n`);
        const end = range.start + range.bytes;
        for (let at = range.start; at < end; ) {
          const next = Math.min(end, (Math.floor(at / CHUNK_BYTES) + 1) * CHUNK_BYTES);
          whole.update(await this.piece(handle, buffer, at, next - at));
          at = next;
        }
      }
    } finally {
      await handle.close();
    }
    return whole.digest('hex');
  }

  /** The image has changed in these extents (written or restored): the pieces there are read again. */
  changed(extents: Extent[]): void {
    for (const [key, piece] of this.known) {
      if (extents.some((e) => e.bytes > 0 && e.start < piece.start + piece.bytes && piece.start < e.start + e.bytes)) this.known.delete(key);
    }
  }

  private async piece(handle: FileHandle, buffer: Buffer, start: number, bytes: number): Promise<Buffer> {
    const key = `${start}+${bytes}`;
    const cached = this.known.get(key);
    if (cached) return cached.digest;
    let done = 0;
    while (done < bytes) {
      const { bytesRead } = await handle.read(buffer, done, bytes - done, start + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    // Past the end of the file reads as nothing; the length read is part of the hash.
    const digest = createHash('sha256').update(buffer.subarray(0, done)).update(`${done}`).digest();
    this.known.set(key, { start, bytes, digest });
    return digest;
  }
}
