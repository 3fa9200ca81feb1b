// The boot index of each bootable device of a machine, from its vm-config: a pure function.
import type { VmConfig } from '../config/vm-config.ts';

/** QEMU `bootindex` values; a device without one is left to the firmware's own order (and `-boot` in extraArgs). */
export interface BootIndexes {
  nic?: number;
  /** A CD-ROM given as boot media, on the machine's `disk.cdromDevice`. */
  cdrom?: number;
  /** The boot disk, whether attached plainly or behind a write log. */
  disk?: number;
}

/**
 * Boot order: a NIC booted first, then a CD-ROM the user gave (where the machine names its CD device), then the boot
 * disk. With nothing ahead of the disk no device gets an index, and the firmware boots as the machine's config says
 * (e.g. amd64-ipxe's `-boot n`).
 */
export function bootIndexes(config: VmConfig): BootIndexes {
  const ahead = [
    ...(config.network?.bootFirst ? (['nic'] as const) : []),
    ...(config.media.cdrom && config.disk.cdromDevice ? (['cdrom'] as const) : []),
  ];
  if (ahead.length === 0) return {};
  const indexes: BootIndexes = { disk: ahead.length };
  ahead.forEach((device, index) => (indexes[device] = index));
  return indexes;
}
