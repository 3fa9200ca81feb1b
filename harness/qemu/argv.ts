// Builds QEMU's command line from a vm-config and the files of one VM: a pure function.
import type { VmConfig } from '../config/vm-config.ts';
import type { Accel } from '../deadline.ts';
import { bootIndexes, type BootIndexes } from './boot-order.ts';
import { mediaArgs } from './media-args.ts';

export interface Drive {
  path: string;
  format: 'qcow2' | 'raw';
  readOnly?: boolean;
  /** What the guest reads of a qcow2 overlay's backing file is copied into the overlay (QEMU's copy-on-read). */
  copyOnRead?: boolean;
}

export interface VmFiles {
  /** The boot disk (normally a qcow2 overlay over the base image). */
  disk: Drive;
  /** Further disks, e.g. a .fs file for an upgrade, in guest order. */
  extraDisks: Drive[];
  qmpSocket: string;
  /** The per-VM firmware variable store (a copy of OVMF's, or a blank NVRAM file), where the firmware has one. */
  firmwareVars?: string;
  /** The per-VM flash image holding the firmware, for a firmware declared with `flash`. */
  firmwareFlash?: string;
  /** Start paused, waiting for a saved state to be loaded over QMP (`-incoming defer`). */
  incoming?: boolean;
  /** Record every write and flush of the boot disk into this file (QEMU's blklogwrites; notes/power-loss.md). */
  writeLog?: string;
  /** For a machine with a NIC: the folder QEMU serves over TFTP and the file its traffic is captured into. */
  network?: { tftpFolder: string; capture: string };
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
  if (config.cpus !== undefined) args.push('-smp', String(config.cpus));
  args.push(...consoleArgs);
  args.push('-qmp', `unix:${files.qmpSocket},server=on,wait=off`);
  const boot = bootIndexes(config);
  args.push(...networkArgs(config, files, boot));
  args.push(...firmwareArgs(config, files));
  if (files.writeLog) args.push(...recordedDiskArgs(config, files.disk, files.writeLog, boot));
  else args.push(...bootDiskArgs(config, files.disk, boot));
  for (const drive of files.extraDisks) args.push('-drive', driveSpec(config, drive));
  const cdrom = boot.cdrom !== undefined && config.disk.cdromDevice ? { device: config.disk.cdromDevice, bootIndex: boot.cdrom } : undefined;
  args.push(...mediaArgs(config.media, cdrom));
  args.push(...config.extraArgs);
  if (files.incoming) args.push('-incoming', 'defer');
  return args;
}

/**
 * A NIC on QEMU's user network (DHCP, DNS, TFTP of the VM's folder, the host's loopback at 10.0.2.2), its traffic
 * captured headers-only so that the TFTP requests can be logged. No NIC when the machine has none.
 */
function networkArgs(config: VmConfig, files: VmFiles, boot: BootIndexes): string[] {
  if (!config.network) return ['-nic', 'none'];
  if (!files.network) throw new Error(`${config.name}: a machine with a NIC needs a TFTP folder and a capture file`);
  const { model, bootRom } = config.network;
  const nic = boot.nic !== undefined
    ? [
        '-netdev', `user,id=bp-net,tftp=${files.network.tftpFolder}`,
        '-device', `${model},netdev=bp-net${bootIndex(boot.nic)}${bootRom ? `,romfile=${bootRom}` : ''}`,
      ]
    : ['-nic', `user,id=bp-net,model=${model},tftp=${files.network.tftpFolder}`];
  return [
    ...nic,
    '-object', `filter-dump,id=bp-net-dump,netdev=bp-net,file=${files.network.capture},maxlen=256`,
  ];
}

function firmwareArgs(config: VmConfig, files: VmFiles): string[] {
  switch (config.firmware.kind) {
    case 'u-boot':
      if (!files.firmwareFlash) throw new Error(`${config.name}: U-Boot runs from a per-VM flash image`);
      return ['-drive', `if=pflash,format=raw,file=${files.firmwareFlash}`];
    case 'ovmf':
      if (!files.firmwareVars) throw new Error(`${config.name}: OVMF needs a per-VM variable store`);
      return [
        '-drive', `if=pflash,format=raw,readonly=on,file=${config.firmware.code}`,
        '-drive', `if=pflash,format=raw,file=${files.firmwareVars}`,
      ];
    default:
      if (config.firmware.nvramBytes === undefined) return [];
      if (!files.firmwareVars) throw new Error(`${config.name}: the firmware needs a per-VM NVRAM file`);
      return ['-drive', `if=pflash,format=raw,file=${files.firmwareVars}`];
  }
}

/**
 * The boot disk behind a blklogwrites node: the guest's write cache is on so that it sends real
 * flushes, and the host never syncs the leaves (the log keeps every guest flush all the same).
 */
function recordedDiskArgs(config: VmConfig, disk: Drive, log: string, boot: BootIndexes): string[] {
  if (config.disk.interface !== 'virtio') {
    throw new Error(`${config.name}: recording writes needs a virtio disk, not ${config.disk.interface}`);
  }
  return [
    '-blockdev', `driver=file,node-name=bp-disk-file,filename=${disk.path},cache.no-flush=on`,
    '-blockdev', `driver=${disk.format},node-name=bp-disk,file=bp-disk-file`,
    '-blockdev', `driver=file,node-name=bp-log-file,filename=${log},cache.no-flush=on`,
    '-blockdev', 'driver=blklogwrites,node-name=bp-logged-disk,file=bp-disk,log=bp-log-file,log-sector-size=512',
    '-device', `virtio-blk-pci,drive=bp-logged-disk,write-cache=on${bootIndex(boot.disk)}`,
  ];
}

/** The boot disk as a plain drive, or as a drive and its device when it has a boot index. */
function bootDiskArgs(config: VmConfig, disk: Drive, boot: BootIndexes): string[] {
  if (boot.disk === undefined) return ['-drive', driveSpec(config, disk)];
  if (config.disk.interface !== 'virtio') {
    throw new Error(`${config.name}: a boot index for the disk needs a virtio disk, not ${config.disk.interface}`);
  }
  return [
    '-drive', driveSpec(config, disk, 'if=none,id=bp-disk'),
    '-device', `virtio-blk-pci,drive=bp-disk${bootIndex(boot.disk)}`,
  ];
}

function bootIndex(index: number | undefined): string {
  return index === undefined ? '' : `,bootindex=${index}`;
}

/** A `-drive` on the machine's disk interface, or (`attach`) e.g. on none for a separate `-device`. */
function driveSpec(config: VmConfig, drive: Drive, attach = `if=${config.disk.interface}`): string {
  const parts = [`file=${drive.path}`, `format=${drive.format}`, attach];
  // QEMU's IDE disks cannot be read-only: their writes go to a throw-away overlay instead.
  if (drive.readOnly) parts.push(config.disk.interface === 'ide' ? 'snapshot=on' : 'readonly=on');
  if (drive.copyOnRead) parts.push('copy-on-read=on');
  return parts.join(',');
}
