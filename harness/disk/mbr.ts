// Reads an MBR partition table, logical partitions of the extended partition included, from a disk image.
import { open, type FileHandle } from 'node:fs/promises';
import { UsageError } from '../errors.ts';

export interface Partition {
  /** Linux numbering: 1 to 4 primary, 5 on logical. */
  number: number;
  type: number;
  bootable: boolean;
  startByte: number;
  bytes: number;
}

const SECTOR = 512;
const EXTENDED = new Set([0x05, 0x0f, 0x85]);

export async function readPartitions(image: string): Promise<Partition[]> {
  const file = await open(image, 'r');
  try {
    const mbr = await readSector(file, 0);
    if (mbr.readUInt16LE(510) !== 0xaa55) throw new UsageError(`${image}: no MBR (the boot signature 55 aa is missing)`);
    const partitions: Partition[] = [];
    let extended: Partition | undefined;
    for (let i = 0; i < 4; i++) {
      const entry = parseEntry(mbr, i, 0, i + 1);
      if (!entry) continue;
      partitions.push(entry);
      if (EXTENDED.has(entry.type)) extended = entry;
    }
    if (extended) partitions.push(...(await logicalPartitions(file, extended)));
    return partitions;
  } finally {
    await file.close();
  }
}

/** Follows the chain of extended boot records; each holds one logical partition and a link to the next. */
async function logicalPartitions(file: FileHandle, extended: Partition): Promise<Partition[]> {
  const found: Partition[] = [];
  const base = extended.startByte;
  let ebrByte = base;
  for (let number = 5; number < 64; number++) {
    const ebr = await readSector(file, ebrByte);
    if (ebr.readUInt16LE(510) !== 0xaa55) break;
    const logical = parseEntry(ebr, 0, ebrByte, number);
    if (logical) found.push(logical);
    const next = parseEntry(ebr, 1, base, 0);
    if (!next) break;
    ebrByte = next.startByte;
  }
  return found;
}

function parseEntry(sector: Buffer, index: number, relativeTo: number, number: number): Partition | undefined {
  const at = 446 + index * 16;
  const type = sector[at + 4]!;
  const startLba = sector.readUInt32LE(at + 8);
  const sectors = sector.readUInt32LE(at + 12);
  if (type === 0 || sectors === 0) return undefined;
  return { number, type, bootable: sector[at] === 0x80, startByte: relativeTo + startLba * SECTOR, bytes: sectors * SECTOR };
}

async function readSector(file: FileHandle, byte: number): Promise<Buffer> {
  const buffer = Buffer.alloc(SECTOR);
  await file.read(buffer, 0, SECTOR, byte);
  return buffer;
}
