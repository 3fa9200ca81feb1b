// The checks `bootproof validate` makes before any boot: each problem is one line naming what is wrong and the fix.
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { TargetProfile } from '../config/profile.ts';
import type { VmConfig } from '../config/vm-config.ts';
import { BootproofError, UsageError } from '../errors.ts';
import { detectFormat, readableFileSize } from './inspect.ts';
import { mbrDiskFormat, inspectMbrDisk, type MbrDiskFindings } from './mbr-disk.ts';
import { readDisklabel } from '../disk/disklabel.ts';
import { identifyFilesystem } from './filesystem.ts';
import { readExtFile } from './ext-file.ts';
import { readFfsFile } from './ffs-file.ts';
import { kernelArchitecture } from './kernel-arch.ts';

export interface InputsToCheck {
  profile: TargetProfile;
  image: string;
  fs: string[];
  machines: VmConfig[];
}

export interface CheckedInputs {
  findings: MbrDiskFindings;
  /** Where each root device lives (e.g. hd0d → partition 5, or disklabel partition d). */
  roots: Record<string, RootLocation>;
  /** Facts worth showing that do not stop the run. */
  notes: string[];
}

export interface RootLocation {
  /** "partition 5" or "disklabel partition d". */
  where: string;
  startByte: number;
  bytes: number;
}

/** Thrown when the inputs cannot be used: one line per problem. */
export class BadInputs extends UsageError {
  constructor(readonly problems: string[]) {
    super(`the inputs cannot be used:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const kernelPaths = ['/boot/vmlinuz', '/bsd', '/boot/vmlinux', '/vmlinuz'];

export async function checkInputs(inputs: InputsToCheck): Promise<CheckedInputs> {
  const problems: string[] = [];
  const notes: string[] = [];
  const image = resolve(inputs.image);
  const fsFiles = inputs.fs.map((f) => resolve(f));
  const fsSizes = new Map<string, number>();
  for (const fs of fsFiles) {
    try {
      fsSizes.set(fs, await readableFileSize(fs, '.fs file'));
    } catch (error) {
      problems.push((error as Error).message);
    }
  }

  let findings: MbrDiskFindings | undefined;
  let imageBytes = 0;
  try {
    const { format, bytes } = await detectFormat(image);
    imageBytes = bytes;
    if (format !== mbrDiskFormat) {
      problems.push(`image ${image} is a ${format.name} image: validate checks MBR disk images in the resflash layout; see it with bootproof inspect`);
    } else {
      findings = await inspectMbrDisk(image, bytes);
    }
  } catch (error) {
    if (!(error instanceof BootproofError)) throw error;
    problems.push(/not a format bootproof knows/.test(error.message) ? noMbr(image, error.message) : error.message);
  }
  if (!findings) throw new BadInputs(problems);

  const last = findings.partitions.filter((p) => p.beyondImageEnd).sort((a, b) => b.startByte + b.bytes - (a.startByte + a.bytes))[0];
  if (last) {
    problems.push(
      `image ${image} is truncated: partition ${last.number} ends at byte ${last.startByte + last.bytes} but the file has only ${imageBytes} bytes; copy or download the image again`,
    );
  }

  const roots: Record<string, RootLocation> = {};
  const numbers = findings.partitions.map((p) => p.number).join(', ') || 'none';
  const openbsd = findings.partitions.find((p) => p.type === '0xa6');
  const label = openbsd ? await readDisklabel(image, openbsd.startByte) : undefined;
  for (const [device, where] of Object.entries(inputs.profile.partitions)) {
    const number = Number(where);
    if (!/^\d+$/.test(where)) {
      const expects = `profile ${inputs.profile.name} expects root ${device} in disklabel partition ${where}`;
      const found = label?.find((p) => p.letter === where);
      if (!openbsd) {
        problems.push(`${expects}, but image ${image} has no OpenBSD (0xA6) MBR partition (it has ${numbers}): use the image built for this profile, or a profile whose "partitions" are MBR partition numbers`);
      } else if (!label) {
        problems.push(`${expects}, but partition ${openbsd.number} (0xA6) holds no disklabel: the image is damaged or not an OpenBSD one`);
      } else if (!found) {
        problems.push(`${expects}, but the disklabel has no partition ${where} (it has ${label.map((p) => p.letter).join(', ')}): use the image built for this profile, or fix "partitions"`);
      } else {
        roots[device] = { where: `disklabel partition ${where}`, startByte: found.startByte, bytes: found.bytes };
      }
      continue;
    }
    const partition = findings.partitions.find((p) => p.number === number);
    if (!partition) {
      problems.push(
        `profile ${inputs.profile.name} expects root ${device} on partition ${number}, but image ${image} has no partition ${number} (it has ${numbers}): ` +
          'use the image built for this profile, or a profile whose "partitions" match the image',
      );
    } else if (partition.typeName.startsWith('extended')) {
      problems.push(`profile ${inputs.profile.name} expects root ${device} on partition ${number}, but that is the extended partition: fix "partitions" in the profile`);
    } else {
      roots[device] = { where: `partition ${number}`, startByte: partition.startByte, bytes: partition.bytes };
    }
  }

  const rootBytes = Object.values(roots).map((p) => p.bytes);
  const smallestRoot = rootBytes.length ? Math.min(...rootBytes) : undefined;
  for (const fs of fsFiles) {
    const bytes = fsSizes.get(fs);
    if (bytes === undefined) continue;
    problems.push(...(await checkFs(fs, bytes, smallestRoot, roots)));
  }

  if (findings.architecture) {
    const { arch, from } = findings.architecture;
    notes.push(`architecture ${arch}, from the kernel on ${from}`);
    for (const machine of inputs.machines.filter((m) => m.arch !== arch)) {
      problems.push(
        `image ${image} holds a kernel for ${arch} (${from}) but machine ${machine.name} emulates ${machine.arch}: choose a machine of architecture ${arch} (see bootproof machines)`,
      );
    }
    for (const fs of fsFiles.filter((f) => fsSizes.has(f))) {
      const fsArch = await fsKernelArchitecture(fs, fsSizes.get(fs)!);
      if (fsArch && fsArch.arch !== arch) {
        problems.push(`.fs file ${fs} holds a kernel for ${fsArch.arch} (${fsArch.from}) but image ${image} is ${arch}: use the .fs built for the same architecture`);
      }
    }
  } else {
    notes.push('architecture: no kernel found on an ext2/3/4 or FFS root, so it was not compared with the machines');
  }
  if (findings.bootConf) notes.push(`boot.conf on partition ${findings.bootConf.partition} names ${findings.bootConf.device ?? 'no device'}`);
  if (problems.length > 0) throw new BadInputs(problems);
  return { findings, roots, notes };
}

function noMbr(image: string, detail: string): string {
  const hint = /bare ext2\/3\/4 filesystem/.test(detail) ? ' (it is a bare filesystem, e.g. a .fs: pass that with --fs)' : '';
  return `image ${image} has no MBR (no boot signature 55 aa at byte 510)${hint}: pass the whole disk image resflash built (resflash-*.img), not a partition or a compressed file`;
}

async function checkFs(fs: string, bytes: number, rootBytes: number | undefined, roots: Record<string, RootLocation>): Promise<string[]> {
  const problems: string[] = [];
  const where = Object.entries(roots).map(([d, p]) => `${d} = ${p.where}`).join(', ');
  if (rootBytes !== undefined && bytes > rootBytes) {
    problems.push(
      `.fs file ${fs} (${bytes} bytes) is larger than the image's root partitions (${rootBytes} bytes; ${where}): ` +
        'it was built for a larger image and cannot be written to this one (resflash FAQ); build the .fs with the same image size',
    );
  }
  const filesystem = await identifyFilesystem(fs, 0, bytes);
  if (!filesystem) {
    problems.push(`.fs file ${fs} holds no filesystem bootproof recognises (ext2/3/4 or FFS at its start): pass the .fs that resflash built, not the disk image or an archive`);
  } else if (filesystem.kind.startsWith('ext')) {
    const declared = await extDeclaredBytes(fs);
    if (declared !== undefined && declared > bytes) {
      problems.push(`.fs file ${fs} is truncated: its filesystem declares ${declared} bytes but the file has ${bytes}; copy or download it again`);
    }
  }
  if (rootBytes !== undefined && bytes < rootBytes && problems.length === 0) {
    problems.push(
      `.fs file ${fs} (${bytes} bytes) is smaller than the image's root partitions (${rootBytes} bytes; ${where}): an upgrade checks the written partition against the .fs, so it must be exactly that size; build it with the same image size`,
    );
  }
  return problems;
}

/** blocks_count × block size from the ext superblock. */
async function extDeclaredBytes(fs: string): Promise<number | undefined> {
  const file = await open(fs, 'r');
  try {
    const sb = Buffer.alloc(1024);
    await file.read(sb, 0, 1024, 1024);
    const blockSize = 1024 << sb.readUInt32LE(24);
    const blocks = sb.readUInt32LE(4) + (sb.readUInt32LE(96) & 0x80 ? sb.readUInt32LE(0x150) * 2 ** 32 : 0);
    return blocks * blockSize;
  } finally {
    await file.close();
  }
}

async function fsKernelArchitecture(fs: string, bytes: number): Promise<{ arch: string; from: string } | undefined> {
  const ffs = (await identifyFilesystem(fs, 0, bytes))?.kind.startsWith('ffs');
  for (const path of kernelPaths) {
    const kernel = ffs ? await readFfsFile(fs, 0, bytes, path, 4096) : await readExtFile(fs, 0, path);
    const arch = kernel && kernelArchitecture(kernel.subarray(0, 4096));
    if (arch) return { arch: arch.arch, from: `${path}, ${arch.kind}` };
  }
  return undefined;
}
