// What a machine boots besides its firmware: a disk image, a CD-ROM, a floppy, a kernel, a netboot folder, and the
// machine overrides that go with them (memory, CPUs, further QEMU arguments). From a vm-config's fields (paths
// relative to the vm-config file) or from command-line options (paths relative to the working folder).
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import type { ObjectReader } from './validate.ts';

export interface BootMedia {
  /** A raw or qcow2 disk booted instead of the fixture's, always through a copy-on-write overlay. */
  image?: string;
  /** An ISO attached read-only as a CD-ROM. */
  cdrom?: string;
  /** A floppy image attached read-only. */
  floppy?: string;
  /** Direct kernel boot: QEMU loads this kernel itself (`-kernel`), with `initrd` and `append`. */
  kernel?: string;
  initrd?: string;
  append?: string;
  /** A folder the machine's boot server serves as it is, over TFTP and HTTP. */
  netboot?: string;
}

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
export function readBootMedia(r: ObjectReader): BootMedia {
  const media: BootMedia = {};
  for (const key of bootMediaKeys) {
    const value = r.string(key, undefined);
    if (value === undefined) continue;
    media[key] = key === 'append' ? value : resolve(dirname(r.file), value);
  }
  checkKernelParts(media, r.file);
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
