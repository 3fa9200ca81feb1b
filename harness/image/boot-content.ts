// What in a disk image decides how it boots: its boot.conf (found on the host, without booting) and a hash of the
// disk that leaves out the root partitions boot.conf does not name, so that crash states alike in it boot once.
import { readPartitions, type Partition } from '../disk/mbr.ts';
import { sha256Ranges } from '../disk/sha256.ts';
import { extFileBlocks, readExtFile } from './ext-file.ts';

export interface BootLayout {
  partitions: Partition[];
  /** Root device → its partition (the profile's partitions, e.g. hd0d → 5). */
  roots: Map<string, Partition>;
  /** The ext partition holding boot.conf, and boot.conf's path inside it; undefined when no partition has it readable. */
  bootConf?: { partition: Partition; path: string };
}

export interface BootContent {
  /** boot.conf's bytes; undefined when the layout has none or it cannot be read in this image. */
  bootConf?: Buffer;
  /** The root device boot.conf names by the profile's line, when it names one of the roots. */
  named?: string;
  /** sha256 of the disk up to its last partition's end, without the roots that boot.conf does not name. */
  key: string;
}

/**
 * The layout of `image`: `partitions` is the profile's (`{"hd0d": "5"}`), `bootConfPath` its boot.conf as the guest
 * sees it (`/mbr/etc/boot.conf`): the partition holding it is the one where the path without its first component is a
 * file (an ext filesystem; others cannot be read here).
 */
export async function bootLayout(image: string, partitions: Record<string, string>, bootConfPath?: string): Promise<BootLayout> {
  const table = await readPartitions(image);
  const roots = new Map<string, Partition>();
  for (const [device, number] of Object.entries(partitions)) {
    const partition = table.find((p) => String(p.number) === number);
    if (partition) roots.set(device, partition);
  }
  const layout: BootLayout = { partitions: table, roots };
  const path = bootConfPath?.replace(/^\/[^/]+(?=\/)/, '');
  if (!path) return layout;
  const rootNumbers = new Set([...roots.values()].map((p) => p.number));
  for (const partition of table.filter((p) => !rootNumbers.has(p.number) && p.bytes < 64 * 1024 * 1024)) {
    if ((await readExtFile(image, partition.startByte, path)) !== undefined) return { ...layout, bootConf: { partition, path } };
  }
  return layout;
}

/** boot.conf's data on the disk, in `sectorSize` sectors (for torn writes of it); empty when it cannot be located. */
export async function bootConfSectors(image: string, layout: BootLayout, sectorSize: number): Promise<{ sector: number; sectors: number }[]> {
  if (!layout.bootConf) return [];
  const { partition, path } = layout.bootConf;
  const found = await extFileBlocks(image, partition.startByte, path);
  if (!found) return [];
  return found.blocks.map((block) => ({
    sector: (partition.startByte + block * found.blockSize) / sectorSize,
    sectors: found.blockSize / sectorSize,
  }));
}

/** What decides `image`'s boot; `bootConfLine` is the profile's line with `{device}` (`set device={device}`). */
export async function bootContent(image: string, layout: BootLayout, bootConfLine?: string): Promise<BootContent> {
  const bootConf = layout.bootConf && (await readExtFile(image, layout.bootConf.partition.startByte, layout.bootConf.path, { catastrophic: true }));
  const named = bootConf && bootConfLine ? namedDevice(bootConf.toString('latin1'), bootConfLine, [...layout.roots.keys()]) : undefined;
  const left = [...layout.roots.entries()].filter(([device]) => named !== undefined && device !== named).map(([, p]) => p);
  const end = Math.max(...layout.partitions.map((p) => p.startByte + p.bytes));
  const ranges: { start: number; bytes: number }[] = [];
  let at = 0;
  for (const skip of left.sort((a, b) => a.startByte - b.startByte)) {
    ranges.push({ start: at, bytes: skip.startByte - at });
    at = skip.startByte + skip.bytes;
  }
  ranges.push({ start: at, bytes: end - at });
  return { bootConf, named, key: await sha256Ranges(image, ranges) };
}

/** The device of the last line of `text` that is `line` with some device, if it is one of `devices`. */
export function namedDevice(text: string, line: string, devices: string[]): string | undefined {
  const [before, after = ''] = line.split('{device}');
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^\\s*${escape(before!)}(\\S+)${escape(after)}\\s*$`, 'gm');
  const found = [...text.matchAll(pattern)].at(-1)?.[1];
  return found && devices.includes(found) ? found : undefined;
}
