// What in a disk image decides how it boots: its boot.conf (found on the host, without booting) and a hash of the
// disk that leaves out the root partitions boot.conf does not name, so that crash states alike in it boot once.
import { readPartitions } from '../disk/mbr.ts';
import { readDisklabel } from '../disk/disklabel.ts';
import { ChunkHashes } from '../disk/chunk-hashes.ts';
import { BootproofError } from '../errors.ts';
import { extFileBlocks, readExtFile } from './ext-file.ts';

/** A partition of the MBR (`5`) or of the disklabel in its OpenBSD partition (`d`), in bytes from the disk's start. */
export interface Region {
  name: string;
  startByte: number;
  bytes: number;
}

export interface BootLayout {
  /** The MBR's partitions and the disklabel's (but its whole-disk `c`). */
  partitions: Region[];
  /** Root device → its partition (the profile's partitions: hd0d → 5, or hd0d → d in a disklabel). */
  roots: Map<string, Region>;
  /** The ext partition holding boot.conf, and boot.conf's path inside it; undefined when no partition has it readable. */
  bootConf?: { partition: Region; path: string };
}

export interface BootContent {
  /** boot.conf's bytes; undefined when the layout has none or it cannot be read in this image. */
  bootConf?: Buffer;
  /** The root device boot.conf names by the profile's line, when it names one of the roots. */
  named?: string;
  /** A hash of the disk up to its last partition's end, without the roots that boot.conf does not name (ChunkHashes). */
  key: string;
}

/**
 * The layout of `image`: `partitions` is the profile's (`{"hd0d": "5"}`), `bootConfPath` its boot.conf as the guest
 * sees it (`/mbr/etc/boot.conf`): the partition holding it is the one where the path without its first component is a
 * file (an ext filesystem; others cannot be read here).
 */
export async function bootLayout(image: string, partitions: Record<string, string>, bootConfPath?: string): Promise<BootLayout> {
  const table: Region[] = [];
  for (const p of await readPartitions(image)) {
    table.push({ name: String(p.number), startByte: p.startByte, bytes: p.bytes });
    const label = p.type === 0xa6 ? await readDisklabel(image, p.startByte) : undefined;
    for (const l of label ?? []) if (l.letter !== 'c') table.push({ name: l.letter, startByte: l.startByte, bytes: l.bytes });
  }
  const roots = new Map<string, Region>();
  for (const [device, name] of Object.entries(partitions)) {
    const partition = table.find((p) => p.name === name);
    if (partition) roots.set(device, partition);
  }
  const layout: BootLayout = { partitions: table, roots };
  const path = bootConfPath?.replace(/^\/[^/]+(?=\/)/, '');
  if (!path) return layout;
  const rootNames = new Set([...roots.values()].map((p) => p.name));
  for (const partition of table.filter((p) => !rootNames.has(p.name) && p.bytes < 64 * 1024 * 1024)) {
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

/**
 * What decides `image`'s boot; `bootConfLine` is the profile's line with `{device}` (`set device={device}`). `hashes`:
 * the image's kept hashes, when it is hashed again and again as it changes (a StateImage's).
 */
export async function bootContent(image: string, layout: BootLayout, bootConfLine?: string, hashes = new ChunkHashes(image)): Promise<BootContent> {
  if (hashes.image !== image) throw new BootproofError(`bootContent: the hashes given are ${hashes.image}'s, not ${image}'s`);
  const bootConf = layout.bootConf && (await readBootConf(image, layout, hashes));
  const named = bootConf && bootConfLine ? namedDevice(bootConf.toString('latin1'), bootConfLine, [...layout.roots.keys()]) : undefined;
  const left = [...layout.roots.entries()].filter(([device]) => named !== undefined && device !== named).map(([, p]) => p);
  const end = Math.max(...layout.partitions.map((p) => p.startByte + p.bytes));
  const ranges: { start: number; bytes: number }[] = [];
  let at = 0;
  for (const skip of left.sort((a, b) => a.startByte - b.startByte)) {
    ranges.push({ start: at, bytes: Math.max(0, skip.startByte - at) });
    at = Math.max(at, skip.startByte + skip.bytes);
  }
  ranges.push({ start: at, bytes: end - at });
  return { bootConf, named, key: await hashes.digest(ranges) };
}

/** boot.conf as read so far, per layout: by the hash of the partition holding it. */
const bootConfsRead = new WeakMap<BootLayout, Map<string, Buffer | undefined>>();

/**
 * boot.conf's bytes in `image`, read once per content of the partition holding it: a crash state holds only sectors
 * its filesystem wrote, which name no block outside the partition, so equal partitions hold equal files.
 */
async function readBootConf(image: string, layout: BootLayout, hashes: ChunkHashes): Promise<Buffer | undefined> {
  const { partition, path } = layout.bootConf!;
  const read = bootConfsRead.get(layout) ?? new Map<string, Buffer | undefined>();
  bootConfsRead.set(layout, read);
  const key = await hashes.digest([{ start: partition.startByte, bytes: partition.bytes }]);
  if (!read.has(key)) read.set(key, await readExtFile(image, partition.startByte, path, { catastrophic: true }));
  return read.get(key);
}

/** The device of the last line of `text` that is `line` with some device, if it is one of `devices`. */
export function namedDevice(text: string, line: string, devices: string[]): string | undefined {
  const [before, after = ''] = line.split('{device}');
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^\\s*${escape(before!)}(\\S+)${escape(after)}\\s*$`, 'gm');
  const found = [...text.matchAll(pattern)].at(-1)?.[1];
  return found && devices.includes(found) ? found : undefined;
}
