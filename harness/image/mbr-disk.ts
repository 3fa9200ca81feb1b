// Raw disk images with an MBR (resflash and the fixture): partitions, filesystems, the active root from boot.conf,
// the kernel's architecture and checksums.
import { readPartitions } from '../disk/mbr.ts';
import { sha256File } from '../disk/sha256.ts';
import { mib, type ImageFormat } from './format.ts';
import { identifyFilesystem, type FilesystemId } from './filesystem.ts';
import { readExtFile } from './ext-file.ts';
import { readFfsFile } from './ffs-file.ts';
import { kernelArchitecture } from './kernel-arch.ts';
import { readDisklabel, type LabelPartition } from '../disk/disklabel.ts';

export interface PartitionFindings {
  /** Linux numbering: 1 to 4 primary, 5 on logical. */
  number: number;
  type: string;
  typeName: string;
  bootable: boolean;
  startByte: number;
  bytes: number;
  /** The partition reaches past the end of the image file: the image is truncated. */
  beyondImageEnd: boolean;
  filesystem?: FilesystemId;
  /** Of the partition's bytes; absent for the extended partition and for partitions past the end. */
  sha256?: string;
  /** The BSD disklabel inside an OpenBSD (0xA6) partition: partitions a to p, offsets from the start of the disk. */
  disklabel?: LabelFindings[];
  /** The kernel file found on it, which makes it a root. */
  kernel?: KernelFound;
}

export type KernelFound = { path: string; arch: string; kind: string };

/** A disklabel partition; `sha256` of its bytes (not for `c`, the whole disk, or unused ones). */
export type LabelFindings = LabelPartition & { filesystem?: FilesystemId; sha256?: string; kernel?: KernelFound };

export interface MbrDiskFindings {
  partitions: PartitionFindings[];
  /** boot.conf as found on the first ext partition holding /etc/boot.conf (`letter`: in the disklabel of `partition`). */
  bootConf?: { partition: number; letter?: string; path: string; text: string; device?: string };
  /** The architecture of the first kernel found on a root, with where it was found. */
  architecture?: { arch: string; from: string };
}

const typeNames: Record<number, string> = {
  0x01: 'FAT12', 0x04: 'FAT16 <32M', 0x05: 'extended', 0x06: 'FAT16', 0x0b: 'FAT32', 0x0c: 'FAT32 LBA', 0x0e: 'FAT16 LBA',
  0x0f: 'extended LBA', 0x41: 'PReP boot', 0x82: 'Linux swap', 0x83: 'Linux', 0x85: 'Linux extended', 0xa5: 'FreeBSD',
  0xa6: 'OpenBSD', 0xa9: 'NetBSD', 0xda: 'non-FS data', 0xee: 'GPT protective', 0xef: 'EFI system',
};
const EXTENDED = new Set([0x05, 0x0f, 0x85]);
const kernelPaths = ['/boot/vmlinuz', '/bsd', '/boot/vmlinux', '/vmlinuz'];
const bootConfPath = '/etc/boot.conf';

export const mbrDiskFormat: ImageFormat<MbrDiskFindings> = {
  name: 'mbr-disk',
  signature: 'an MBR (boot signature 55 aa at byte 510)',
  matches: (head) => head.length >= 512 && head.readUInt16LE(510) === 0xaa55,
  inspect: inspectMbrDisk,
  describe: describeMbrDisk,
};

export async function inspectMbrDisk(image: string, imageBytes: number): Promise<MbrDiskFindings> {
  const partitions: PartitionFindings[] = [];
  for (const p of await readPartitions(image)) {
    const beyondImageEnd = p.startByte + p.bytes > imageBytes;
    const found: PartitionFindings = {
      number: p.number,
      type: `0x${p.type.toString(16).padStart(2, '0')}`,
      typeName: typeNames[p.type] ?? 'unknown',
      bootable: p.bootable,
      startByte: p.startByte,
      bytes: p.bytes,
      beyondImageEnd,
    };
    if (!EXTENDED.has(p.type) && p.startByte < imageBytes) {
      const filesystem = await identifyFilesystem(image, p.startByte, Math.min(p.bytes, imageBytes - p.startByte));
      if (filesystem) found.filesystem = filesystem;
      if (!beyondImageEnd) found.sha256 = await sha256File(image, { start: p.startByte, bytes: p.bytes });
      if (p.type === 0xa6) {
        const label = await readDisklabel(image, p.startByte);
        if (label) {
          found.disklabel = [];
          for (const l of label) {
            const filesystem = l.startByte < imageBytes ? await identifyFilesystem(image, l.startByte, Math.min(l.bytes, imageBytes - l.startByte)) : undefined;
            const hashed = l.letter !== 'c' && l.fstype !== 0 && l.startByte + l.bytes <= imageBytes;
            const sha256 = hashed ? await sha256File(image, { start: l.startByte, bytes: l.bytes }) : undefined;
            found.disklabel.push({ ...l, ...(filesystem ? { filesystem } : {}), ...(sha256 ? { sha256 } : {}) });
          }
        }
      }
    }
    partitions.push(found);
  }
  const findings: MbrDiskFindings = { partitions };
  // Partitions first, then the disklabels' (MBR order), each with the filesystem bootproof can read files from.
  const readable = [
    ...partitions.map((p) => ({ at: p, where: { partition: p.number }, name: `partition ${p.number}` })),
    ...partitions.flatMap((p) =>
      (p.disklabel ?? []).filter((l) => l.letter !== 'c').map((l) => ({ at: l, where: { partition: p.number, letter: l.letter }, name: `partition ${p.number}${l.letter}` })),
    ),
  ].filter(({ at }) => at.filesystem && (at.filesystem.kind.startsWith('ext') || at.filesystem.kind.startsWith('ffs')));
  for (const { at, where, name } of readable) {
    const read = (path: string, maxBytes?: number) => readFileOn(image, at.startByte, Math.min(at.bytes, imageBytes - at.startByte), at.filesystem!, path, maxBytes);
    for (const path of kernelPaths) {
      const kernel = await read(path, 4096);
      const arch = kernel && kernelArchitecture(kernel.subarray(0, 4096));
      if (arch) {
        at.kernel = { path, ...arch };
        findings.architecture ??= { arch: arch.arch, from: `${name}: ${path} (${arch.kind})` };
        break;
      }
    }
    findings.bootConf ??= await readBootConf(read, where);
  }
  return findings;
}

/** A file's bytes (at most `maxBytes` of FFS ones) from an ext2/3/4 or FFS filesystem, or undefined. */
function readFileOn(image: string, startByte: number, bytes: number, fs: FilesystemId, path: string, maxBytes?: number): Promise<Buffer | undefined> {
  return fs.kind.startsWith('ffs') ? readFfsFile(image, startByte, bytes, path, maxBytes) : readExtFile(image, startByte, path);
}

async function readBootConf(
  read: (path: string) => Promise<Buffer | undefined>,
  where: { partition: number; letter?: string },
): Promise<MbrDiskFindings['bootConf']> {
  const text = (await read(bootConfPath))?.toString('utf8');
  if (text === undefined) return undefined;
  const device = /^\s*set\s+device\s*[= ]\s*(\S+)/m.exec(text)?.[1];
  return { ...where, path: bootConfPath, text, ...(device ? { device } : {}) };
}

function describeFilesystem(fs: FilesystemId): string {
  const label = fs.label ? ` "${fs.label}"` : fs.kind.startsWith('ffs') ? ' (no volume name)' : '';
  return `${fs.kind}${label}${fs.bytes !== undefined ? `, ${mib(fs.bytes)}` : ''}`;
}

/** The disklabel's fstype numbers (sys/disklabel.h) that resflash images use. */
const fstypeNames: Record<number, string> = { 0: 'unused', 1: 'swap', 7: '4.2BSD', 11: 'MSDOS', 17: 'ext2fs' };

function fstypeName(fstype: number): string {
  return fstypeNames[fstype] ?? String(fstype);
}

function describeMbrDisk(f: MbrDiskFindings): string[] {
  const lines = ['  partitions (MBR; 5 and up are logical partitions inside the extended one):'];
  lines.push(`    ${'#'.padEnd(3)}${'type'.padEnd(22)}${'boot'.padEnd(6)}${'start'.padStart(10)}${'size'.padStart(12)}  ${'filesystem'.padEnd(20)}sha256`);
  for (const p of f.partitions) {
    const fs = p.filesystem ? `${p.filesystem.kind}${p.filesystem.label ? ` "${p.filesystem.label}"` : ''}` : '-';
    lines.push(
      `    ${String(p.number).padEnd(3)}${`${p.type} ${p.typeName}`.padEnd(22)}${(p.bootable ? '*' : '').padEnd(6)}` +
        `${mib(p.startByte).padStart(10)}${mib(p.bytes).padStart(12)}  ${fs.padEnd(20)}${p.sha256 ?? ''}` +
        (p.beyondImageEnd ? '  PAST THE END OF THE IMAGE (truncated?)' : ''),
    );
    for (const l of p.disklabel ?? []) {
      const fs = l.filesystem ? describeFilesystem(l.filesystem) : `none (fstype ${fstypeName(l.fstype)})`;
      lines.push(`       ${l.letter}  ${`disklabel ${fstypeName(l.fstype)}`.padEnd(28)}${mib(l.startByte).padStart(10)}${mib(l.bytes).padStart(12)}  ${fs}${l.sha256 ? `  ${l.sha256}` : ''}`);
      if (l.kernel) lines.push(`         root: kernel ${l.kernel.path}, ${l.kernel.kind}, ${l.kernel.arch}`);
    }
    if (p.kernel) lines.push(`         root: kernel ${p.kernel.path}, ${p.kernel.kind}, ${p.kernel.arch}`);
  }
  if (f.bootConf) {
    const active = f.bootConf.device ? `active device ${f.bootConf.device}` : 'names no device';
    const on = f.bootConf.letter ? `disklabel partition ${f.bootConf.letter} of partition ${f.bootConf.partition}` : `partition ${f.bootConf.partition}`;
    lines.push(`  boot.conf on ${on} (${f.bootConf.path}): ${active}  [${f.bootConf.text.trim().replace(/\n/g, '; ')}]`);
  } else {
    lines.push('  boot.conf: not found on any ext2/3/4 or FFS partition');
  }
  lines.push(`  architecture: ${f.architecture ? `${f.architecture.arch}, from ${f.architecture.from}` : 'unknown (no kernel found on a readable root)'}`);
  return lines;
}
