// Builds QEMU's command line from a vm-config and the files of one VM: a pure function.
import type { VmConfig } from '../config/vm-config.ts';
import type { Accel } from '../deadline.ts';

export interface Drive {
  path: string;
  format: 'qcow2' | 'raw';
  readOnly?: boolean;
}

export interface VmFiles {
  /** The boot disk (normally a qcow2 overlay over the base image). */
  disk: Drive;
  /** Further disks, e.g. a .fs file for an upgrade, in guest order. */
  extraDisks: Drive[];
  qmpSocket: string;
  /** The per-VM copy of the firmware variable store, where the firmware has one. */
  firmwareVars?: string;
}

export interface ArgvOptions {
  accel: Accel;
  /** Shown in `ps` so that leaked processes can be found: bootproof-<id>. */
  name: string;
}

/** The serial port on the pty, no monitor multiplexing, Ctrl-C passed to the guest (notes/console.md). */
export const consoleArgs = ['-nographic', '-chardev', 'stdio,id=con0,signal=off', '-serial', 'chardev:con0', '-monitor', 'none'];

export function buildArgv(config: VmConfig, files: VmFiles, options: ArgvOptions): string[] {
  const args = ['-name', options.name, '-M', config.machine, '-accel', options.accel];
  args.push('-cpu', options.accel === 'kvm' && config.arch === 'amd64' ? 'host' : config.cpu);
  args.push('-m', String(config.memoryMiB));
  args.push(...consoleArgs);
  args.push('-qmp', `unix:${files.qmpSocket},server=on,wait=off`);
  args.push('-nic', 'none');
  args.push(...firmwareArgs(config, files));
  for (const drive of [files.disk, ...files.extraDisks]) args.push('-drive', driveSpec(config, drive));
  args.push(...config.extraArgs);
  return args;
}

function firmwareArgs(config: VmConfig, files: VmFiles): string[] {
  switch (config.firmware.kind) {
    case 'seabios':
      return [];
    case 'ovmf':
      if (!files.firmwareVars) throw new Error(`${config.name}: OVMF needs a per-VM variable store`);
      return [
        '-drive', `if=pflash,format=raw,readonly=on,file=${config.firmware.code}`,
        '-drive', `if=pflash,format=raw,file=${files.firmwareVars}`,
      ];
  }
}

function driveSpec(config: VmConfig, drive: Drive): string {
  const parts = [`file=${drive.path}`, `format=${drive.format}`, `if=${config.disk.interface}`];
  if (drive.readOnly) parts.push('readonly=on');
  return parts.join(',');
}
