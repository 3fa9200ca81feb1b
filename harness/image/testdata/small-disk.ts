// Builds small disk images in the resflash layout for unit tests: sfdisk and mke2fs on plain files, in seconds.
import { mkdir, open, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';

export interface SmallDisk {
  image: string;
  /** The root filesystem written to partition 5 (root d). */
  rootFs: string;
  rootBytes: number;
}

const MiB = 1048576;

/** A fake Linux x86-64 bzImage: just the header fields the architecture check reads. */
export function fakeBzImage(): Buffer {
  const kernel = Buffer.alloc(8192);
  kernel.write('HdrS', 0x202, 'latin1');
  kernel.writeUInt16LE(1, 0x236);
  return kernel;
}

/** A fake ELF kernel for `machine` (e.g. 21 = PowerPC 64, little-endian). */
export function fakeElfKernel(machine: number): Buffer {
  const kernel = Buffer.alloc(8192);
  kernel.writeUInt32BE(0x7f454c46, 0);
  kernel[4] = 2;
  kernel[5] = 1;
  kernel.writeUInt16LE(machine, 18);
  return kernel;
}

/**
 * MBR: p1 /mbr (ext4 RFMBR, etc/boot.conf), p2 extended, p5 root d (ext4 RFROOT with boot/vmlinuz), p6 root e (empty),
 * p7 /cfg (ext4 RFCFG). Roots are `rootMiB` each; `rootFiles` (path → text) are added to root d. `extraLabel` adds a
 * p8 with an ext2 filesystem of that label (a firmware's own boot partition, say).
 */
export async function makeSmallDisk(
  dir: string,
  options: { bootConf?: string; kernel?: Buffer; rootMiB?: number; rootFiles?: Record<string, string>; extraLabel?: string } = {},
): Promise<SmallDisk> {
  const rootMiB = options.rootMiB ?? 4;
  const staging = join(dir, 'staging');
  await mkdir(join(staging, 'mbr', 'etc'), { recursive: true });
  await mkdir(join(staging, 'root', 'boot'), { recursive: true });
  await writeFile(join(staging, 'mbr', 'etc', 'boot.conf'), options.bootConf ?? 'set device=hd0e\n');
  await writeFile(join(staging, 'root', 'boot', 'vmlinuz'), options.kernel ?? fakeBzImage());
  for (const [path, text] of Object.entries(options.rootFiles ?? {})) {
    await mkdir(join(staging, 'root', dirname(path)), { recursive: true });
    await writeFile(join(staging, 'root', path), text);
  }
  const mbrFs = join(dir, 'mbr.fs');
  const rootFs = join(dir, 'root.fs');
  const cfgFs = join(dir, 'cfg.fs');
  const mke2fs = (label: string, from: string | undefined, file: string, mib: number, type = 'ext4') =>
    execa('mke2fs', ['-q', '-F', '-t', type, '-L', label, ...(from ? ['-d', from] : []), file, `${mib}M`]);
  await mke2fs('RFMBR', join(staging, 'mbr'), mbrFs, 2);
  await mke2fs('RFROOT', join(staging, 'root'), rootFs, rootMiB);
  await mke2fs('RFCFG', undefined, cfgFs, 1);

  // p1 at 1 MiB (2 MiB), extended from 3 MiB; each logical partition sits 1 MiB after its EBR.
  const s = (mib: number) => mib * 2048;
  const p5 = 4;
  const p6 = p5 + rootMiB + 1;
  const p7 = p6 + rootMiB + 1;
  const filesystems: [string, number][] = [[mbrFs, 1], [rootFs, p5], [cfgFs, p7]];
  const logical = [{ start: p5, mib: rootMiB }, { start: p6, mib: rootMiB }, { start: p7, mib: 1 }];
  if (options.extraLabel !== undefined) {
    const extraFs = join(dir, 'extra.fs');
    await mke2fs(options.extraLabel, undefined, extraFs, 1, 'ext2');
    filesystems.push([extraFs, p7 + 2]);
    logical.push({ start: p7 + 2, mib: 1 });
  }
  const last = logical.at(-1)!;
  const end = last.start + last.mib;
  const layout = [
    'label: dos', 'unit: sectors',
    `start=${s(1)}, size=${s(2)}, type=83, bootable`,
    `start=${s(3)}, size=${s(end - 3)}, type=5`,
    ...logical.map((p) => `start=${s(p.start)}, size=${s(p.mib)}, type=83`),
  ].join('\n');
  const image = join(dir, 'disk.img');
  const file = await open(image, 'w');
  await file.truncate(end * MiB);
  await file.close();
  await execa('sfdisk', ['--quiet', image], { input: layout });
  for (const [fs, mib] of filesystems) {
    await execa('dd', [`if=${fs}`, `of=${image}`, 'bs=1M', `seek=${mib}`, 'conv=notrunc', 'status=none']);
  }
  return { image, rootFs, rootBytes: rootMiB * MiB };
}
