import test from 'ava';
import { buildArgv } from './argv.ts';
import { bootIndexes } from './boot-order.ts';
import { loadVmConfig } from '../config/vm-config.ts';
import { withOverrides } from '../config/overrides.ts';

const files = {
  disk: { path: '/tmp/vm/disk.qcow2', format: 'qcow2' as const },
  extraDisks: [{ path: '/images/root-v2.fs', format: 'raw' as const, readOnly: true }],
  qmpSocket: '/tmp/vm/qmp.sock',
  firmwareVars: '/tmp/vm/vars.fd',
};

test('SeaBIOS machine: serial on the pty, no monitor, QMP socket, overlay then read-only .fs disk', (t) => {
  const argv = buildArgv(loadVmConfig('amd64-bios'), files, { accel: 'tcg', name: 'bootproof-x' });
  const joined = argv.join(' ');
  t.true(joined.includes('-chardev stdio,id=con0,signal=off -serial chardev:con0 -monitor none'));
  t.true(joined.includes('-qmp unix:/tmp/vm/qmp.sock,server=on,wait=off'));
  t.true(joined.includes('-accel tcg -cpu max'));
  const drives = argv.flatMap((a, i) => (a === '-drive' ? [argv[i + 1]] : []));
  t.deepEqual(drives, [
    'file=/tmp/vm/disk.qcow2,format=qcow2,if=virtio',
    'file=/images/root-v2.fs,format=raw,if=virtio,readonly=on',
  ]);
  t.false(joined.includes('pflash'));
});

test('OVMF machine: read-only code and a writable per-VM copy of the variables', (t) => {
  const argv = buildArgv(loadVmConfig('amd64-uefi'), files, { accel: 'tcg', name: 'bootproof-x' });
  const drives = argv.flatMap((a, i) => (a === '-drive' ? [argv[i + 1]] : []));
  t.is(drives[0], 'if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd');
  t.is(drives[1], 'if=pflash,format=raw,file=/tmp/vm/vars.fd');
});

test('KVM on amd64 uses the host CPU', (t) => {
  const argv = buildArgv(loadVmConfig('amd64-bios'), files, { accel: 'kvm', name: 'bootproof-x' });
  t.is(argv[argv.indexOf('-cpu') + 1], 'host');
});

test('a recorded boot disk sits behind blklogwrites with the guest write cache on', (t) => {
  const argv = buildArgv(loadVmConfig('amd64-bios'), { ...files, writeLog: '/tmp/vm/disk.log' }, { accel: 'tcg', name: 'x' });
  const blockdevs = argv.flatMap((a, i) => (a === '-blockdev' ? [argv[i + 1]] : []));
  t.deepEqual(blockdevs, [
    'driver=file,node-name=bp-disk-file,filename=/tmp/vm/disk.qcow2,cache.no-flush=on',
    'driver=qcow2,node-name=bp-disk,file=bp-disk-file',
    'driver=file,node-name=bp-log-file,filename=/tmp/vm/disk.log,cache.no-flush=on',
    'driver=blklogwrites,node-name=bp-logged-disk,file=bp-disk,log=bp-log-file,log-sector-size=512',
  ]);
  t.true(argv.includes('virtio-blk-pci,drive=bp-logged-disk,write-cache=on'), 'no boot index: the firmware boots it as it boots the plain disk');
  const drives = argv.flatMap((a, i) => (a === '-drive' ? [argv[i + 1]] : []));
  t.deepEqual(drives, ['file=/images/root-v2.fs,format=raw,if=virtio,readonly=on'], 'the .fs disk is not recorded');
});

test('a machine without a NIC gets none; one with a NIC serves its folder by TFTP and captures the traffic headers', (t) => {
  const bios = loadVmConfig('amd64-bios');
  t.true(buildArgv(bios, files, { accel: 'tcg', name: 'x' }).join(' ').includes('-nic none'));
  const withNic = { ...bios, network: { model: 'virtio-net-pci', serve: [], bootFirst: false } };
  const network = { tftpFolder: '/tmp/vm/boot', capture: '/tmp/vm/net-1.pcap' };
  const argv = buildArgv(withNic, { ...files, network }, { accel: 'tcg', name: 'x' }).join(' ');
  t.true(argv.includes('-nic user,id=bp-net,model=virtio-net-pci,tftp=/tmp/vm/boot'));
  t.true(argv.includes('-object filter-dump,id=bp-net-dump,netdev=bp-net,file=/tmp/vm/net-1.pcap,maxlen=256'));
  t.false(argv.includes('-nic none'));
  t.throws(() => buildArgv(withNic, files, { accel: 'tcg', name: 'x' }), { message: /needs a TFTP folder/ });
  const first = buildArgv({ ...bios, network: { model: 'virtio-net-pci', bootRom: '/rom/efi-virtio.rom', serve: [], bootFirst: true } }, { ...files, network }, { accel: 'tcg', name: 'x' }).join(' ');
  t.true(first.includes('-netdev user,id=bp-net,tftp=/tmp/vm/boot -device virtio-net-pci,netdev=bp-net,bootindex=0,romfile=/rom/efi-virtio.rom'), 'a NIC booted first has boot index 0 and its ROM');
  t.true(first.includes('filter-dump,id=bp-net-dump,netdev=bp-net'));
});

test('a firmware with an NVRAM file gets the per-VM file as pflash', (t) => {
  const bios = loadVmConfig('amd64-bios');
  const slof = { ...bios, arch: 'ppc64el' as const, firmware: { kind: 'slof' as const, banner: /SLOF/, nvramBytes: 65536 } };
  const argv = buildArgv(slof, { ...files, firmwareVars: '/tmp/vm/nvram.bin' }, { accel: 'tcg', name: 'x' });
  const drives = argv.flatMap((a, i) => (a === '-drive' ? [argv[i + 1]] : []));
  t.is(drives[0], 'if=pflash,format=raw,file=/tmp/vm/nvram.bin');
});

test('boot indexes: a NIC booted first, then the disk; otherwise none, and the firmware keeps its own order', (t) => {
  t.deepEqual(bootIndexes(loadVmConfig('amd64-ipxe-uefi')), { nic: 0, disk: 1 });
  t.deepEqual(bootIndexes(loadVmConfig('amd64-ipxe')), {});
  t.deepEqual(bootIndexes(loadVmConfig('amd64-bios')), {});
});

/** Every `bootindex=N` on the command line, in order. */
function bootindexes(argv: string[]): string[] {
  return argv.flatMap((a) => [...a.matchAll(/bootindex=(\d+)/g)].map((m) => m[1]!));
}

const network = { tftpFolder: '/tmp/vm/boot', capture: '/tmp/vm/net-1.pcap' };

test('a NIC booted first keeps index 0 whether or not the disk is recorded; the disk, plain or logged, is 1', (t) => {
  const config = loadVmConfig('amd64-ipxe-uefi');
  const plain = buildArgv(config, { ...files, network }, { accel: 'tcg', name: 'x' });
  const logged = buildArgv(config, { ...files, network, writeLog: '/tmp/vm/disk.log' }, { accel: 'tcg', name: 'x' });
  t.deepEqual(bootindexes(plain), ['0', '1']);
  t.deepEqual(bootindexes(logged), ['0', '1']);
  t.true(plain.includes('file=/tmp/vm/disk.qcow2,format=qcow2,if=none,id=bp-disk'));
  t.true(plain.includes('virtio-blk-pci,drive=bp-disk,bootindex=1'));
  t.true(logged.includes('virtio-blk-pci,drive=bp-logged-disk,write-cache=on,bootindex=1'));
  t.true(logged.join(' ').includes('virtio-net-pci,netdev=bp-net,bootindex=0,romfile=/usr/lib/ipxe/qemu/efi-virtio.rom'));
});

test('a machine booting the network by its own -boot n gets no boot index, recorded disk or not', (t) => {
  const config = loadVmConfig('amd64-ipxe');
  for (const writeLog of [undefined, '/tmp/vm/disk.log']) {
    const argv = buildArgv(config, { ...files, network, writeLog }, { accel: 'tcg', name: 'x' });
    t.deepEqual(bootindexes(argv), []);
    t.is(argv[argv.indexOf('-boot') + 1], 'n');
  }
});

test('boot media and overrides: a read-only CD-ROM and floppy, a direct kernel boot, memory, CPUs and further arguments', (t) => {
  const config = withOverrides(loadVmConfig('amd64-bios'), {
    media: { cdrom: '/media/debian.iso', floppy: '/media/fd.img', kernel: '/media/vmlinuz', initrd: '/media/initrd.gz', append: 'console=ttyS0 quiet' },
    memoryMiB: 2048,
    cpus: 2,
    qemuArgs: ['-boot', 'd'],
  });
  const argv = buildArgv(config, files, { accel: 'tcg', name: 'x' });
  const drives = argv.flatMap((a, i) => (a === '-drive' ? [argv[i + 1]] : []));
  t.true(drives.includes('file=/media/debian.iso,format=raw,if=none,id=bp-cdrom,media=cdrom,readonly=on'));
  t.true(drives.includes('file=/media/fd.img,format=raw,if=floppy,readonly=on'));
  t.is(argv[argv.indexOf('-kernel') + 1], '/media/vmlinuz');
  t.is(argv[argv.indexOf('-initrd') + 1], '/media/initrd.gz');
  t.is(argv[argv.indexOf('-append') + 1], 'console=ttyS0 quiet', 'the command line is one argument');
  t.is(argv[argv.indexOf('-m') + 1], '2048');
  t.is(argv[argv.indexOf('-smp') + 1], '2');
  t.deepEqual(argv.slice(argv.indexOf('-boot'), argv.indexOf('-boot') + 2), ['-boot', 'd']);
  const plain = buildArgv(loadVmConfig('amd64-bios'), files, { accel: 'tcg', name: 'x' });
  t.false(plain.includes('-smp') || plain.includes('-kernel'), 'a vm-config without them gets neither');
});

test('overrides: a kernel without one is refused for initrd or append, netboot needs a NIC', (t) => {
  const bios = loadVmConfig('amd64-bios');
  t.throws(() => withOverrides(bios, { media: { initrd: '/media/initrd.gz' } }), { message: /"initrd" needs "kernel"/ });
  t.throws(() => withOverrides(bios, { media: { netboot: '/srv/netboot' } }), { message: /amd64-bios has no NIC/ });
  t.is(withOverrides(loadVmConfig('amd64-ipxe'), { media: { netboot: '/srv/netboot' } }).media.netboot, '/srv/netboot');
});

test('a CD-ROM given as boot media boots before the disk where the machine names its CD device, after a NIC booted first', (t) => {
  const withCd = (name: string) => {
    const config = loadVmConfig(name);
    return { ...config, media: { ...config.media, cdrom: '/isos/install.iso' } };
  };
  t.deepEqual(bootIndexes(withCd('amd64-bios')), { cdrom: 0, disk: 1 });
  t.deepEqual(bootIndexes(withCd('amd64-ipxe-uefi')), { nic: 0, cdrom: 1, disk: 2 });
  t.deepEqual(bootIndexes(withCd('mips64-uboot')), {}, 'without a CD device the firmware picks');
  const argv = buildArgv(withCd('amd64-bios'), files, { accel: 'tcg', name: 'x' }).join(' ');
  t.true(argv.includes('-drive file=/isos/install.iso,format=raw,if=none,id=bp-cdrom,media=cdrom,readonly=on -device ide-cd,drive=bp-cdrom,bootindex=0'), argv);
  t.true(argv.includes('virtio-blk-pci,drive=bp-disk,bootindex=1'), argv);
});
