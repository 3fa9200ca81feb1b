// What a boot path needs of a machine, as small protocols (after labgrid's): the console, the power, checkpoints,
// what the firmware keeps, and the addresses of the machine's services. Machine implements them; tests use fakes.
import type { VmConfig } from '../config/vm-config.ts';
import type { Console } from '../console/console.ts';
import type { TimeScale } from '../deadline.ts';

export interface StartOptions {
  /** After restoring a checkpoint, stay paused (QMP `cont` resumes). */
  paused?: boolean;
  /** Raw files attached read-only after the boot disk, e.g. a .fs for an upgrade. */
  disks?: string[];
  /** Record the boot disk's writes and flushes into this file, which must not exist yet. */
  writeLog?: string;
}

/** Reading the serial console and typing at it. */
export type ConsoleProtocol = Pick<Console, 'waitFor' | 'waitForAny' | 'send' | 'sendLine' | 'streamText'>;

/** The machine's power, whose state the machine alone owns: it tells listeners each time it goes off. */
export interface PowerProtocol {
  /** Powers on: QEMU starts (or resumes the checkpoint given to useCheckpoint). */
  start(options?: StartOptions): Promise<void>;
  /** A clean end: QEMU quits with its disks and NVRAM flushed. */
  quit(): Promise<void>;
  /** A power cut: QEMU is killed, nothing in flight is flushed. */
  crash(): Promise<void>;
  /** Calls `listener` each time the running machine ends, whatever ended it. */
  onExit(listener: () => void): void;
}

export interface CheckpointProtocol {
  /** Saves the running machine (RAM, devices, disks, firmware files) into `dir`. */
  checkpoint(dir: string): Promise<unknown>;
  /** While off: the next start() resumes the checkpoint in `dir`. */
  useCheckpoint(dir: string): Promise<void>;
  /** While off: throws away everything the guest wrote; the next start() boots the untouched base image. */
  resetDisk(): Promise<void>;
}

/** The boot commands a firmware's NVRAM holds: they belong to the NVRAM file, so they go with it into checkpoints. */
export interface FirmwareSettingsStore {
  /** The commands typed into this machine's NVRAM at an earlier power-on; undefined for a blank NVRAM. */
  readonly firmwareSettingsSaved: string[] | undefined;
  rememberFirmwareSettings(commands: string[]): void;
}

/** Everything a boot path drives. */
export interface BootTarget extends PowerProtocol, CheckpointProtocol, FirmwareSettingsStore {
  readonly config: VmConfig;
  readonly console: ConsoleProtocol;
  readonly time: TimeScale;
  /** `{bootServer}` and `{metadataUrl}` as the guest reaches them, on a machine with a NIC; otherwise none. */
  guestAddresses(): Record<string, string>;
  /** The disk the guest boots from as a file on the host (an overlay, or the image itself), and the image under it. */
  readonly disk?: { path: string; base: string };
}
