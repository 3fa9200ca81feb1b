// A firmware's parallel flash image: the firmware binary at offset 0, the rest erased (0xFF), words byte-reversed where the board swaps them.
import { open, readFile, writeFile } from 'node:fs/promises';
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
    for (let at = 0; at < codeBytes(firmware, layout); at += group) image.subarray(at, at + group).reverse();
  }
  return image;
}

/** How many bytes at the start of the flash the firmware occupies (its last partial word included). */
function codeBytes(firmware: Uint8Array, layout: FlashLayout): number {
  const group = layout.reverseBytes && layout.reverseBytes > 1 ? layout.reverseBytes : 1;
  return Math.ceil(firmware.length / group) * group;
}

/** The start of the flash content for `firmware`: the part the firmware occupies (pure). */
function flashCode(firmware: Uint8Array, layout: FlashLayout, source = 'firmware'): Buffer {
  return flashImage(firmware, layout, source).subarray(0, codeBytes(firmware, layout));
}

/** Writes the per-VM flash image of the firmware file `code` to `target`. */
export async function writeFlashImage(code: string, layout: FlashLayout, target: string): Promise<void> {
  await writeFile(target, flashImage(await readFile(code), layout, code));
}

/**
 * Writes the firmware file `code` again over the start of the flash image `target`, keeping the rest (what the firmware
 * saved there). QEMU writes a writable flash back from memory when it loads a saved state, and a board that swaps the
 * flash words in memory (Malta) thereby leaves the firmware unswapped in the file, which would not boot again.
 */
export async function rewriteFlashCode(code: string, layout: FlashLayout, target: string): Promise<void> {
  const file = await open(target, 'r+');
  try {
    await file.write(flashCode(await readFile(code), layout, code), 0, undefined, 0);
  } finally {
    await file.close();
  }
}
