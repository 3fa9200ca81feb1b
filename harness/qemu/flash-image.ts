// A firmware's parallel flash image: the firmware binary at offset 0, the rest erased (0xFF), words byte-reversed where the board swaps them.
import { readFile, writeFile } from 'node:fs/promises';
import { UsageError } from '../errors.ts';
import type { FlashLayout } from '../config/vm-config.ts';

/** The flash content for `firmware` (pure). */
export function flashImage(firmware: Uint8Array, layout: FlashLayout, source = 'firmware'): Buffer {
  if (firmware.length > layout.bytes) {
    throw new UsageError(`${source} is ${firmware.length} bytes, larger than the ${layout.bytes}-byte flash`);
  }
  const image = Buffer.alloc(layout.bytes, 0xff);
  image.set(firmware, 0);
  const group = layout.reverseBytes;
  if (group && group > 1) {
    const end = Math.ceil(firmware.length / group) * group;
    for (let at = 0; at < end; at += group) image.subarray(at, at + group).reverse();
  }
  return image;
}

/** Writes the per-VM flash image of the firmware file `code` to `target`. */
export async function writeFlashImage(code: string, layout: FlashLayout, target: string): Promise<void> {
  await writeFile(target, flashImage(await readFile(code), layout, code));
}
