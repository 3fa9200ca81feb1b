// The RFSUM1 trailer of a resflash-fixture root filesystem: its last 4 KiB hold "RFSUM1 <sha256> <version>\n",
// the sha256 of every byte before them, which the upgrade checks. A filesystem changed in place needs it rewritten.
import { open, stat } from 'node:fs/promises';
import { sha256File } from '../disk/sha256.ts';

const TRAILER_BYTES = 4096;
const trailer = /^RFSUM1 ([0-9a-f]{64}) (\S+)\n/;

/** Rewrites the trailer of a filesystem at `startByte` (`bytes` long) for its current contents; false when it has none. */
export async function refreshChecksumTrailer(file: string, startByte = 0, bytes?: number): Promise<boolean> {
  const length = bytes ?? (await stat(file)).size - startByte;
  const at = startByte + length - TRAILER_BYTES;
  const handle = await open(file, 'r+');
  try {
    const block = Buffer.alloc(TRAILER_BYTES);
    await handle.read(block, 0, TRAILER_BYTES, at);
    const found = trailer.exec(block.toString('latin1'));
    if (!found) return false;
    const sum = await sha256File(file, { start: startByte, bytes: length - TRAILER_BYTES });
    const fresh = Buffer.alloc(TRAILER_BYTES);
    fresh.write(`RFSUM1 ${sum} ${found[2]}\n`, 'latin1');
    await handle.write(fresh, 0, TRAILER_BYTES, at);
    return true;
  } finally {
    await handle.close();
  }
}
