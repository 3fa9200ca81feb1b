// Where a profile's root partition lies in a disk image: an MBR partition number ("6") or a letter of the BSD
// disklabel inside the image's OpenBSD (0xA6) partition ("e").
import { readPartitions } from './mbr.ts';
import { readDisklabel } from './disklabel.ts';

export interface PartitionExtent {
  startByte: number;
  bytes: number;
}

/** The bytes of the partition `where` names (a profile's `partitions` value), or undefined when the image has none. */
export async function findPartition(image: string, where: string): Promise<PartitionExtent | undefined> {
  const partitions = await readPartitions(image);
  if (/^\d+$/.test(where)) {
    const found = partitions.find((p) => p.number === Number(where));
    return found && { startByte: found.startByte, bytes: found.bytes };
  }
  const openbsd = partitions.find((p) => p.type === 0xa6);
  const found = openbsd && (await readDisklabel(image, openbsd.startByte))?.find((l) => l.letter === where);
  return found && { startByte: found.startByte, bytes: found.bytes };
}
