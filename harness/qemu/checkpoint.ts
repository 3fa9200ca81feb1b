// Checkpoints of a running VM, as openQA keeps them: the RAM and device state streamed to a file by QMP migration,
// a copy of the disk overlay and of every per-VM writable firmware file (variable store, NVRAM, flash image), taken
// while the VM is stopped.
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { QmpClient } from './qmp.ts';
import { Deadline, sleep } from '../deadline.ts';
import { BootproofError, UsageError } from '../errors.ts';

/** What a checkpoint folder holds besides its files, in checkpoint.json. */
export interface CheckpointInfo {
  machine: string;
  /** The base image the disk overlay's chain ends in. */
  image: string;
  /** Read-only disks attached at power-on, in guest order. */
  extraDisks: string[];
  /** Disks plugged in while running (QMP hot-plug), in order, re-plugged before the state is loaded. */
  pluggedDisks: string[];
  accel: string;
  profile: string;
  savedAt: string;
  /** Whether the VM was running when saved (restore then lets it run on). */
  wasRunning: boolean;
  /** The boot commands the saved firmware variables hold (Machine.firmwareSettingsSaved); absent when none. */
  firmwareSettings?: string[];
  stateBytes: number;
}

export const checkpointFiles = {
  info: 'checkpoint.json',
  state: 'state.bin',
  disk: 'disk.qcow2',
  vars: 'vars.fd',
  flash: 'flash.img',
  screen: 'screen.txt',
};

/** A VM's writable files besides the disk overlay: the ones its firmware writes. */
export interface FirmwareFiles {
  /** The UEFI variable store or the NVRAM file. */
  vars?: string;
  /** The flash image the firmware runs from. */
  flash?: string;
}

/** Each writable firmware file of a VM and its name in a checkpoint folder. */
function firmwareFileCopies(files: FirmwareFiles): { file: string; name: string }[] {
  const copies: { file: string; name: string }[] = [];
  if (files.vars) copies.push({ file: files.vars, name: checkpointFiles.vars });
  if (files.flash) copies.push({ file: files.flash, name: checkpointFiles.flash });
  return copies;
}

/** Stops the VM, streams its state into `dir`, copies the drives' writable files; the VM stays stopped. */
export async function saveState(qmp: QmpClient, dir: string, timeoutMs: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  await qmp.execute('stop');
  const state = resolve(join(dir, checkpointFiles.state));
  await qmp.execute('migrate', { uri: `exec:cat > ${shellQuote(state)}` });
  await migrationDone(qmp, 'save the VM state', timeoutMs);
}

/** Copies the VM's writable files (valid once the VM state is saved: QEMU has flushed them). */
export async function saveDrives(dir: string, overlay: string, firmware: FirmwareFiles): Promise<void> {
  await copyFile(overlay, join(dir, checkpointFiles.disk));
  for (const { file, name } of firmwareFileCopies(firmware)) await copyFile(file, join(dir, name));
}

/** Puts the checkpoint's copies of the writable firmware files back in place of the VM's own. */
export async function restoreFirmwareFiles(dir: string, firmware: FirmwareFiles): Promise<void> {
  for (const { file, name } of firmwareFileCopies(firmware)) {
    const saved = join(dir, name);
    if (!existsSync(saved)) {
      throw new UsageError(`${dir} is not a whole checkpoint of this machine: it has no ${name} (the machine's firmware writes one); save the checkpoint again`);
    }
    await copyFile(saved, file);
  }
}

/** Loads the state into a QEMU started with `-incoming defer`; the VM is then paused. */
export async function loadState(qmp: QmpClient, dir: string, timeoutMs: number): Promise<void> {
  const state = resolve(join(dir, checkpointFiles.state));
  await qmp.execute('migrate-incoming', { uri: `exec:cat ${shellQuote(state)}` });
  await migrationDone(qmp, 'load the VM state', timeoutMs);
}

export async function writeCheckpointInfo(dir: string, info: Omit<CheckpointInfo, 'stateBytes'>, screen: string): Promise<CheckpointInfo> {
  const full = { ...info, stateBytes: (await stat(join(dir, checkpointFiles.state))).size };
  await writeFile(join(dir, checkpointFiles.info), JSON.stringify(full, null, 2) + '\n');
  await writeFile(join(dir, checkpointFiles.screen), screen);
  return full;
}

export async function readCheckpointInfo(dir: string): Promise<CheckpointInfo> {
  const file = join(dir, checkpointFiles.info);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as CheckpointInfo;
  } catch (error) {
    throw new UsageError(`${dir} holds no checkpoint (${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): name a folder a checkpoint was saved to`);
  }
}

/** Polls query-migrate until the migration completes; throws when it fails or takes too long. */
async function migrationDone(qmp: QmpClient, what: string, timeoutMs: number): Promise<void> {
  const deadline = new Deadline(timeoutMs);
  for (;;) {
    const info = await qmp.execute<{ status?: string; 'error-desc'?: string }>('query-migrate');
    if (info.status === 'completed') return;
    if (info.status === 'failed' || info.status === 'cancelled') {
      throw new BootproofError(`could not ${what}: migration ${info.status}${info['error-desc'] ? `: ${info['error-desc']}` : ''}`);
    }
    if (deadline.expired()) throw new BootproofError(`could not ${what}: migration still "${info.status}" after ${timeoutMs / 1000} s`);
    await sleep(20);
  }
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
