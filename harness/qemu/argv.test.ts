import test from 'ava';
import { buildArgv } from './argv.ts';
import { loadVmConfig } from '../config/vm-config.ts';

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
  t.true(argv.includes('virtio-blk-pci,drive=bp-logged-disk,write-cache=on,bootindex=0'));
  const drives = argv.flatMap((a, i) => (a === '-drive' ? [argv[i + 1]] : []));
  t.deepEqual(drives, ['file=/images/root-v2.fs,format=raw,if=virtio,readonly=on'], 'the .fs disk is not recorded');
});

test('a machine without a NIC gets none; one with a NIC serves its folder by TFTP and captures the traffic headers', (t) => {
  const bios = loadVmConfig('amd64-bios');
  t.true(buildArgv(bios, files, { accel: 'tcg', name: 'x' }).join(' ').includes('-nic none'));
  const withNic = { ...bios, network: { model: 'virtio-net-pci' } };
  const network = { tftpFolder: '/tmp/vm/boot', capture: '/tmp/vm/net-1.pcap' };
  const argv = buildArgv(withNic, { ...files, network }, { accel: 'tcg', name: 'x' }).join(' ');
  t.true(argv.includes('-nic user,id=bp-net,model=virtio-net-pci,tftp=/tmp/vm/boot'));
  t.true(argv.includes('-object filter-dump,id=bp-net-dump,netdev=bp-net,file=/tmp/vm/net-1.pcap,maxlen=256'));
  t.false(argv.includes('-nic none'));
  t.throws(() => buildArgv(withNic, files, { accel: 'tcg', name: 'x' }), { message: /needs a TFTP folder/ });
  const first = buildArgv({ ...bios, network: { model: 'virtio-net-pci', bootRom: '/rom/efi-virtio.rom', bootFirst: true } }, { ...files, network }, { accel: 'tcg', name: 'x' }).join(' ');
  t.true(first.includes('-netdev user,id=bp-net,tftp=/tmp/vm/boot -device virtio-net-pci,netdev=bp-net,bootindex=0,romfile=/rom/efi-virtio.rom'), 'a NIC booted first has boot index 0 and its ROM');
  t.true(first.includes('filter-dump,id=bp-net-dump,netdev=bp-net'));
});

test('a firmware with an NVRAM file gets the per-VM file as pflash', (t) => {
  const bios = loadVmConfig('amd64-bios');
  const slof = { ...bios, arch: 'ppc64el', firmware: { kind: 'slof' as const, banner: /SLOF/, nvramBytes: 65536 } };
  const argv = buildArgv(slof, { ...files, firmwareVars: '/tmp/vm/nvram.bin' }, { accel: 'tcg', name: 'x' });
  const drives = argv.flatMap((a, i) => (a === '-drive' ? [argv[i + 1]] : []));
  t.is(drives[0], 'if=pflash,format=raw,file=/tmp/vm/nvram.bin');
});
