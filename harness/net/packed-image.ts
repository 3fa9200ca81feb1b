// Serving a packed ramdisk image: verified end to end before anything is served, then unpacked into the boot server.
import { rm } from 'node:fs/promises';
import type { BootServer } from './boot-server.ts';
import { verifyRamdiskImage } from '../image/ramdisk-image.ts';
import type { RamdiskHeader } from '../image/ramdisk-header.ts';

/**
 * Verifies `packed` (header, sizes, zlib stream, sha256) and serves its image as `name`. A corrupt image is refused
 * with the reason (CorruptRamdiskImage) and nothing is served under `name`, not even an earlier file.
 */
export async function servePackedImage(server: BootServer, packed: string, name: string): Promise<RamdiskHeader> {
  const target = await server.put(name, '');
  try {
    return await verifyRamdiskImage(packed, target);
  } catch (error) {
    await rm(target, { force: true });
    throw error;
  }
}
