// The boot index of each bootable device of a machine, from its vm-config: a pure function.
import type { VmConfig } from '../config/vm-config.ts';

/** QEMU `bootindex` values; a device without one is left to the firmware's own order (and `-boot` in extraArgs). */
export interface BootIndexes {
  nic?: number;
  /** The boot disk, whether attached plainly or behind a write log. */
  disk?: number;
}

/**
 * A NIC booted first takes index 0 and the boot disk index 1, so that the order names both. Otherwise no device
 * gets an index and the firmware boots as the machine's config says (e.g. amd64-ipxe's `-boot n`).
 */
export function bootIndexes(config: VmConfig): BootIndexes {
  if (config.network?.bootFirst) return { nic: 0, disk: 1 };
  return {};
}
