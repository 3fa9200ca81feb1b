// What a machine boots besides its firmware: a disk image, a CD-ROM, a floppy, a kernel, a netboot folder, and the
// machine overrides that go with them (memory, CPUs, further QEMU arguments). From a vm-config's fields (paths
// relative to the vm-config file) or from command-line options (paths relative to the working folder).
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../errors.ts';
import { text } from './schema-parts.ts';

/** The media keys of a vm-config (paths relative to the vm-config file); the command line's options use the same names. */
export const bootMediaFields = {
  image: text().optional().describe('A raw or qcow2 disk booted instead of the fixture\'s, always through a copy-on-write overlay'),
  cdrom: text().optional().describe('An ISO attached read-only as a CD-ROM'),
  floppy: text().optional().describe('A floppy image attached read-only'),
  kernel: text().optional().describe('Direct kernel boot: QEMU loads this kernel itself (-kernel), with initrd and append'),
  initrd: text().optional().describe('The initrd of the direct kernel boot'),
  append: text().optional().describe('The kernel command line of the direct kernel boot'),
  netboot: text().optional().describe('A folder the machine\'s boot server serves as it is, over TFTP and HTTP'),
};
const bootMediaSchema = z.object(bootMediaFields);

export type BootMedia = z.output<typeof bootMediaSchema>;

export const bootMediaKeys = ['image', 'cdrom', 'floppy', 'kernel', 'initrd', 'append', 'netboot'] as const satisfies readonly (keyof BootMedia)[];

/** What a command line changes of a machine: its media, and the machine's memory, CPUs and further QEMU arguments. */
export interface MachineOverrides {
  media?: BootMedia;
  memoryMiB?: number;
  cpus?: number;
  /** Appended after the vm-config's `extraArgs`. */
  qemuArgs?: string[];
}

/** The media fields of a vm-config, each path resolved against the vm-config file's folder. */
export function resolveBootMedia(fields: BootMedia, file: string): BootMedia {
  const media: BootMedia = {};
  for (const key of bootMediaKeys) {
    const value = fields[key];
    if (value === undefined) continue;
    media[key] = key === 'append' ? value : resolve(dirname(file), value);
  }
  checkKernelParts(media, file);
  return media;
}

/** `initrd` and `append` only make sense with `kernel`. */
export function checkKernelParts(media: BootMedia, where: string): void {
  for (const key of ['initrd', 'append'] as const) {
    if (media[key] !== undefined && media.kernel === undefined) {
      throw new UsageError(`${where}: "${key}" needs "kernel" (direct kernel boot: QEMU loads the kernel, its initrd and command line)`);
    }
  }
}

/** Whether any medium is named. */
export function hasMedia(media: BootMedia | undefined): boolean {
  return bootMediaKeys.some((key) => media?.[key] !== undefined);
}
