// The boot media options (--image, --cdrom, --floppy, --kernel, --initrd, --append, --netboot) and the machine
// overrides (--memory, --cpus, --qemu-arg), for the commands that boot a machine of the user's choosing.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { checkKernelParts, type BootMedia, type MachineOverrides } from '../config/boot-media.ts';
import { readableFileSize } from '../image/inspect.ts';
import type { Values } from './command.ts';
import { count } from './shared.ts';

export const mediaOptions = {
  image: { type: 'string' },
  cdrom: { type: 'string' },
  floppy: { type: 'string' },
  kernel: { type: 'string' },
  initrd: { type: 'string' },
  append: { type: 'string' },
  netboot: { type: 'string' },
} as const;

export const machineOptions = {
  memory: { type: 'string' },
  cpus: { type: 'string' },
  'qemu-arg': { type: 'string', multiple: true },
} as const;

/** The options naming media: the commands that boot only the built-in fixtures refuse them, naming `run`. */
export const mediaFlags = [...Object.keys(mediaOptions), 'fs'].map((name) => `--${name}`);

export const mediaUsage = `  --image FILE           a raw or qcow2 disk to boot instead of the fixture (through an overlay: never written)
  --cdrom FILE           an ISO attached read-only as a CD-ROM
  --floppy FILE          a floppy image attached read-only
  --kernel FILE          direct kernel boot: QEMU loads this kernel (with --initrd FILE and --append TEXT)
  --initrd FILE          the initramfs of --kernel
  --append TEXT          the kernel command line of --kernel
  --netboot DIR          a folder the machine's boot server serves as it is, over TFTP and HTTP (machines with a NIC)`;

export const machineUsage = `  --memory MiB           the machine's memory (default: the vm-config's memoryMiB)
  --cpus N               the machine's CPUs (QEMU's -smp)
  --qemu-arg ARG         a further QEMU argument, repeatable; one starting with - as --qemu-arg=-boot`;

/** The overrides the options ask for, each file checked to be there and readable (the user's files are only read). */
export async function overridesFrom(values: Partial<Values<typeof mediaOptions> & Values<typeof machineOptions>>): Promise<MachineOverrides> {
  const media: BootMedia = {};
  for (const key of ['image', 'cdrom', 'floppy', 'kernel', 'initrd'] as const) {
    const path = values[key];
    if (path === undefined) continue;
    await readableFileSize(path, `--${key} file`);
    media[key] = resolve(path);
  }
  if (values.append !== undefined) media.append = values.append;
  if (values.netboot !== undefined) {
    const info = await stat(values.netboot).catch(() => undefined);
    if (!info?.isDirectory()) throw new UsageError(`--netboot ${values.netboot}: not a folder: name the folder the boot server is to serve (e.g. a netboot tree)`);
    media.netboot = resolve(values.netboot);
  }
  checkKernelParts(media, 'the options');
  const cpus = values.cpus === undefined ? undefined : count('--cpus', values.cpus, 1);
  if (cpus === 0) throw new UsageError('--cpus: expected at least 1');
  const memoryMiB = values.memory === undefined ? undefined : count('--memory', values.memory, 0);
  if (memoryMiB === 0) throw new UsageError('--memory: expected the memory in MiB, e.g. 1024');
  return {
    ...(Object.keys(media).length > 0 ? { media } : {}),
    ...(memoryMiB !== undefined ? { memoryMiB } : {}),
    ...(cpus !== undefined ? { cpus } : {}),
    ...(values['qemu-arg']?.length ? { qemuArgs: values['qemu-arg'] } : {}),
  };
}
