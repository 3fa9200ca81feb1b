import test from 'ava';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadVmConfig, machineNames, missingOnHost, parseVmConfig, vmConfigDir } from './vm-config.ts';
import { UsageError } from '../errors.ts';
import { testFolder } from '../testdata/test-folder.ts';

const bios = () => JSON.parse(readFileSync(join(vmConfigDir, 'amd64-bios.json'), 'utf8'));

test('every shipped vm-config loads', (t) => {
  for (const name of machineNames()) t.is(loadVmConfig(name).name, name);
});

test('an unknown machine lists the known ones', (t) => {
  const error = t.throws(() => loadVmConfig('amd64-bois'), { instanceOf: UsageError });
  t.regex(error.message, /unknown machine "amd64-bois": choose one of amd64-bios, amd64-ipxe, amd64-ipxe-uefi, amd64-uefi/);
});

test('an unknown key is an error naming the file, the key, the nearest valid name and the valid keys', (t) => {
  const error = t.throws(() => parseVmConfig('x', 'x.json', { ...bios(), memoryMib: 512 }), { instanceOf: UsageError });
  t.regex(error.message, /^x\.json: unknown key "memoryMib": did you mean "memoryMiB"\? \(the keys are "description", "arch", .*"memoryMiB", .*"netboot"\)$/);
  const far = t.throws(() => parseVmConfig('x', 'x.json', { ...bios(), disk: { ...bios().disk, bus: 'scsi' } }), { instanceOf: UsageError });
  t.is(far.message, 'x.json: unknown key "disk.bus" (check the spelling; the keys of disk are "interface", "guestDevices", "cdromDevice")');
});

test('a "$schema" key, for editors, is accepted', (t) => {
  t.is(parseVmConfig('x', 'x.json', { $schema: './node_modules/bootproof/schemas/vm-config.schema.json', ...bios() }).name, 'x');
  t.throws(() => parseVmConfig('x', 'x.json', { ...bios(), $schema: 1 }), { message: 'x.json: $schema: expected the path or URL of the JSON Schema, got 1 (number)' });
});

test('a wrong value is quoted with its type', (t) => {
  const error = t.throws(() => parseVmConfig('x', 'x.json', { ...bios(), memoryMiB: '512' }), { instanceOf: UsageError });
  t.is(error.message, 'x.json: memoryMiB: expected a non-negative number, got "512" (string)');
  const kind = t.throws(() => parseVmConfig('x', 'x.json', { ...bios(), firmware: { kind: 'coreboot', banner: 'x' } }));
  t.regex(kind.message, /x\.json: firmware\.kind: expected one of "seabios", "ovmf", "slof", "openbios", "u-boot", got "coreboot" \(string\)/);
});

test('unreadable JSON names the file', async (t) => {
  const dir = await testFolder(t, 'vm');
  writeFileSync(join(dir, 'broken.json'), '{ "arch": ');
  const error = t.throws(() => loadVmConfig(join(dir, 'broken.json')), { instanceOf: UsageError });
  t.regex(error.message, /broken\.json: cannot read the vm-config/);
});

test('a missing QEMU binary or firmware file names the Debian package to install', (t) => {
  const noQemu = parseVmConfig('x', 'x.json', { ...bios(), qemu: { binary: 'qemu-system-nonexistent', package: 'qemu-system-foo' } });
  t.regex(missingOnHost(noQemu) ?? '', /qemu-system-nonexistent not found: install the Debian package qemu-system-foo/);
  const uefi = JSON.parse(readFileSync(join(vmConfigDir, 'amd64-uefi.json'), 'utf8'));
  const noVars = parseVmConfig('y', 'y.json', { ...uefi, firmware: { ...uefi.firmware, vars: '/nonexistent/VARS.fd' } });
  t.regex(missingOnHost(noVars) ?? '', /firmware file \/nonexistent\/VARS\.fd not found: install the Debian package ovmf/);
});

test('a NIC is optional; its boot ROM must exist and names its package', (t) => {
  t.is(parseVmConfig('x', 'x.json', bios()).network, undefined);
  const nic = parseVmConfig('x', 'x.json', { ...bios(), network: { model: 'virtio-net-pci', bootRom: '/nonexistent/pxe.rom', package: 'ipxe-qemu' } });
  t.deepEqual(nic.network, { model: 'virtio-net-pci', bootRom: '/nonexistent/pxe.rom', package: 'ipxe-qemu', serve: [], bootFirst: false });
  t.regex(missingOnHost(nic) ?? '', /network boot ROM \/nonexistent\/pxe\.rom not found: install the Debian package ipxe-qemu/);
  t.throws(() => parseVmConfig('x', 'x.json', { ...bios(), network: { modle: 'e1000' } }), { message: /network/ });
});

const slof = () => ({
  ...bios(),
  arch: 'ppc64el',
  firmware: {
    kind: 'slof',
    banner: 'SLOF',
    nvramBytes: 65536,
    prompt: { regex: '0 > ', interruptKey: 's', interruptWindow: 'Press "s"', repeatMs: 1000, clearTypeAhead: true },
    boot: { commands: ['setenv boot-device disk:{loaderPartition},\\{loaderFile}', 'reset-all'], persistence: 'nvram' },
  },
});

test('a firmware stage: prompt, interrupt key, boot commands and what the firmware keeps', (t) => {
  const { firmware } = parseVmConfig('x', 'x.json', slof());
  t.is(firmware.prompt?.interruptKey, 's');
  t.is(firmware.prompt?.regex.source, '0 > ');
  t.true(firmware.prompt?.clearTypeAhead);
  t.deepEqual(firmware.boot?.commands, ['setenv boot-device disk:{loaderPartition},\\{loaderFile}', 'reset-all']);
  t.is(firmware.boot?.persistence, 'nvram');
  t.is(firmware.nvramBytes, 65536);
  const ipxe = parseVmConfig('y', 'y.json', { ...bios(), firmware: { kind: 'seabios', banner: 'x', prompt: { regex: 'iPXE> ', interruptKey: 'ctrl-b' } } });
  t.is(ipxe.firmware.prompt?.interruptKey, '\x02');
  t.is(ipxe.firmware.prompt?.repeatMs, 1000);
});

test('firmware stage mistakes are named with the fix', (t) => {
  const base = slof();
  const noPrompt = { ...base, firmware: { ...base.firmware, prompt: undefined } };
  t.throws(() => parseVmConfig('x', 'x.json', noPrompt), { message: 'x.json: firmware.boot needs firmware.prompt (where the commands are typed)' });
  const noNvram = { ...base, firmware: { ...base.firmware, nvramBytes: undefined } };
  t.throws(() => parseVmConfig('x', 'x.json', noNvram), { message: /persistence "nvram" needs "nvramBytes"/ });
  const badPersistence = { ...base, firmware: { ...base.firmware, boot: { commands: ['boot'], persistence: 'flash' } } };
  t.throws(() => parseVmConfig('x', 'x.json', badPersistence), {
    message: 'x.json: firmware.boot.persistence: expected one of "nvram", "reset", "none", got "flash" (string)',
  });
  const badKey = { ...base, firmware: { ...base.firmware, prompt: { regex: '0 > ', interruptKey: 'F12' } } };
  t.throws(() => parseVmConfig('x', 'x.json', badKey), { message: /x\.json: firmware\.prompt\.interruptKey: unknown key "F12"/ });
  const typo = { ...base, firmware: { ...base.firmware, boot: { ...base.firmware.boot, persistance: 'none' } } };
  t.throws(() => parseVmConfig('x', 'x.json', typo), {
    message: 'x.json: unknown key "firmware.boot.persistance": did you mean "persistence"? (the keys of firmware.boot are "commands", "persistence", "failure", "failover")',
  });
});

test('a firmware in flash needs its binary, and the flash layout is read', (t) => {
  const uboot = { ...bios(), firmware: { kind: 'u-boot', banner: 'U-Boot', flash: { bytes: 4194304, reverseBytes: 4 } } };
  t.throws(() => parseVmConfig('x', 'x.json', uboot), { message: 'x.json: firmware: "flash" needs "code" (the firmware binary written into the flash image)' });
  const config = parseVmConfig('x', 'x.json', { ...uboot, firmware: { ...uboot.firmware, code: '/usr/lib/u-boot/maltael/u-boot.bin' } });
  t.deepEqual(config.firmware.flash, { bytes: 4194304, reverseBytes: 4 });
});

test('a machine resumes checkpoints unless its vm-config says it cannot (ppc64-ofw)', (t) => {
  t.true(loadVmConfig('amd64-bios').resumesCheckpoints);
  t.false(loadVmConfig('ppc64-ofw').resumesCheckpoints);
  t.throws(() => parseVmConfig('x', 'x.json', { ...bios(), resumesCheckpoints: 'no' }), { message: /resumesCheckpoints/ });
});

test('boot media fields are paths relative to the vm-config file; cpus is a whole number from 1', (t) => {
  const config = parseVmConfig('mine', '/repo/vm-configs/mine.json', {
    ...bios(),
    image: '../images/mine.qcow2',
    cdrom: 'debian.iso',
    kernel: '/boot/vmlinuz',
    initrd: 'initrd.gz',
    append: 'console=ttyS0',
    netboot: '../netboot',
    cpus: 2,
  });
  t.deepEqual(config.media, {
    image: '/repo/images/mine.qcow2',
    cdrom: '/repo/vm-configs/debian.iso',
    kernel: '/boot/vmlinuz',
    initrd: '/repo/vm-configs/initrd.gz',
    append: 'console=ttyS0',
    netboot: '/repo/netboot',
  });
  t.is(config.cpus, 2);
  t.deepEqual(loadVmConfig('amd64-bios').media, {}, 'the built-in machines boot the fixture alone');
  t.throws(() => parseVmConfig('x', 'x.json', { ...bios(), cpus: 0 }), { message: 'x.json: cpus: expected a whole number from 1, got 0 (number)' });
  t.throws(() => parseVmConfig('x', 'x.json', { ...bios(), append: 'quiet' }), { message: /x\.json: "append" needs "kernel"/ });
});
