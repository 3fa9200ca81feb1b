// Reads the BSD disklabel (OpenBSD's) inside an MBR partition of type 0xA6: partitions a to p with absolute offsets.
import { open } from 'node:fs/promises';

export interface LabelPartition {
  /** a, b, c, ... (c is the whole disk by convention). */
  letter: string;
  startByte: number;
  bytes: number;
  /** FS_BSDFFS is 7, FS_SWAP 1, FS_UNUSED 0. */
  fstype: number;
}

export const DISKMAGIC = 0x82564557;
const LABEL_SECTOR = 1;

/** The label's partitions with a size, or undefined when the MBR partition holds no disklabel. */
export async function readDisklabel(image: string, mbrPartitionStartByte: number): Promise<LabelPartition[] | undefined> {
  const file = await open(image, 'r');
  try {
    const label = Buffer.alloc(512);
    const { bytesRead } = await file.read(label, 0, 512, mbrPartitionStartByte + LABEL_SECTOR * 512);
    if (bytesRead < 512 || label.readUInt32LE(0) !== DISKMAGIC || label.readUInt32LE(132) !== DISKMAGIC) return undefined;
    const sectorBytes = label.readUInt32LE(40) || 512;
    const count = Math.min(label.readUInt16LE(138), 16);
    const partitions: LabelPartition[] = [];
    for (let i = 0; i < count; i++) {
      const at = 148 + i * 16;
      const sectors = label.readUInt32LE(at) + label.readUInt16LE(at + 10) * 2 ** 32;
      const offset = label.readUInt32LE(at + 4) + label.readUInt16LE(at + 8) * 2 ** 32;
      if (sectors === 0) continue;
      partitions.push({ letter: String.fromCharCode(97 + i), startByte: offset * sectorBytes, bytes: sectors * sectorBytes, fstype: label[at + 12]! });
    }
    return partitions;
  } finally {
    await file.close();
  }
}

/** A disklabel sector for tests: partitions by letter as [start sector, sectors, fstype]. */
export function makeDisklabel(partitions: Record<string, [number, number, number]>): Buffer {
  const label = Buffer.alloc(512);
  label.writeUInt32LE(DISKMAGIC, 0);
  label.writeUInt32LE(512, 40);
  label.writeUInt32LE(DISKMAGIC, 132);
  label.writeUInt16LE(16, 138);
  for (const [letter, [start, sectors, fstype]] of Object.entries(partitions)) {
    const at = 148 + (letter.charCodeAt(0) - 97) * 16;
    label.writeUInt32LE(sectors, at);
    label.writeUInt32LE(start, at + 4);
    label[at + 12] = fstype;
  }
  return label;
}
