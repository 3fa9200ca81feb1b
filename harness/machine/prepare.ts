// A machine's private files, made before its first power-on: the folder, the disk overlay over the base image (or
// the checkpoint's), and the per-VM firmware files (UEFI variables, NVRAM, U-Boot flash).
import { copyFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { VmConfig } from '../config/vm-config.ts';
import { UsageError } from '../errors.ts';
import { createOverlay, imageFormat } from '../disk/overlay.ts';
import { writeFlashImage } from '../qemu/flash-image.ts';
import { createTempFolder, type TempFolder } from '../qemu/temp-folder.ts';
import { checkpointFiles, readCheckpointInfo, restoreFirmwareFiles, type CheckpointInfo, type FirmwareFiles } from '../qemu/checkpoint.ts';

export interface PreparedFiles {
  workDir: TempFolder;
  /** The disk QEMU boots: an overlay, or the image itself when it is to be written. */
  disk: { path: string; format: 'qcow2' | 'raw'; copyOnRead?: boolean };
  firmware: FirmwareFiles;
  /** The checkpoint's record, when the machine starts from one. */
  checkpoint?: CheckpointInfo;
}

export interface PrepareRequest {
  config: VmConfig;
  image: string;
  writeImage?: boolean;
  checkpoint?: string;
  /** Keep in the overlay every part of the base image the guest reads (see Machine's `trackReads`). */
  trackReads?: boolean;
}

/** A tracking overlay's cluster: the finest unit qemu-img map reports of what the guest read. */
export const trackedClusterBytes = 4096;

/** Makes the private files; on failure, nothing is left behind. */
export async function prepareFiles(request: PrepareRequest): Promise<PreparedFiles> {
  if (request.checkpoint && request.writeImage) throw new UsageError('a checkpoint cannot be restored onto the image itself (--write)');
  if (request.trackReads && (request.writeImage || request.checkpoint)) {
    throw new UsageError('reads are tracked in a fresh overlay over the image: not with --write or a checkpoint');
  }
  const workDir = await createTempFolder();
  try {
    const checkpoint = request.checkpoint ? await readCheckpointInfo(request.checkpoint) : undefined;
    const disk = await prepareDisk(request, workDir.path);
    const firmware = await prepareFirmware(request.config, workDir.path);
    if (request.checkpoint) await restoreFirmwareFiles(request.checkpoint, firmware);
    return { workDir, disk, firmware, ...(checkpoint ? { checkpoint } : {}) };
  } catch (error) {
    await workDir.cleanup();
    throw error;
  }
}

async function prepareDisk(request: PrepareRequest, folder: string): Promise<PreparedFiles['disk']> {
  if (request.writeImage) {
    const path = resolve(request.image);
    return { path, format: await imageFormat(path) };
  }
  const path = join(folder, 'disk.qcow2');
  if (request.trackReads) {
    await createOverlay(request.image, path, { clusterBytes: trackedClusterBytes });
    return { path, format: 'qcow2', copyOnRead: true };
  }
  await createOverlay(request.checkpoint ? join(request.checkpoint, checkpointFiles.disk) : request.image, path);
  return { path, format: 'qcow2' };
}

async function prepareFirmware(config: VmConfig, folder: string): Promise<FirmwareFiles> {
  const { firmware } = config;
  const files: FirmwareFiles = {};
  if (firmware.vars) {
    files.vars = join(folder, 'vars.fd');
    await copyFile(firmware.vars, files.vars);
  } else if (firmware.nvramBytes !== undefined) {
    files.vars = join(folder, 'nvram.bin');
    await writeFile(files.vars, Buffer.alloc(firmware.nvramBytes));
  }
  if (firmware.flash && firmware.code) {
    files.flash = join(folder, 'flash.img');
    await writeFlashImage(firmware.code, firmware.flash, files.flash);
  }
  return files;
}
