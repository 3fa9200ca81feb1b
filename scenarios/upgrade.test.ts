// upgrade: v1 on d → upgrade → v2 on e → upgrade → v3 on d; the running system never writes its inactive root.
import { scenario, sha256File } from 'bootproof';

scenario(
  {
    name: 'upgrade',
    needs: ['ab-roots'],
    description: 'Two upgrades in a row alternate the active root, each confirmed by a real reboot',
    depth: 'full',
    ci: ['amd64-bios', 'amd64-uefi', 'mips64-uboot'],
    timeoutMinutes: 15,
  },
  async (t, vm) => {
    await vm.startFrom('shell');
    vm.expectBooted(t, { device: 'hd0d', version: vm.version(1) }, `a fresh image runs version ${vm.version(1)} from root d`);

    const first = await vm.step(`upgrade to version ${vm.version(2)}`, () => vm.upgrade(vm.extraDiskDevice(0)));
    t.log(first.trim());
    t.notRegex(first, /\bwarning\b/i, `the upgrade reports no warning (a step that did not work as designed):\n${first.trim()}`);
    const mounts = await vm.writableDiskMounts();
    t.is(mounts, '', `after the upgrade no disk filesystem (least of all the inactive root) stays mounted read-write: ${mounts}`);
    const bootConf = await vm.readBootConf();
    t.regex(bootConf, /hd0e/, `after the upgrade boot.conf names the upgraded root e: ${bootConf.trim()}`);

    await vm.rebootToShell(`reboot into version ${vm.version(2)}`);
    vm.expectBooted(t, { device: 'hd0e', version: vm.version(2) }, `after the upgrade and a reboot, the upgraded root e runs version ${vm.version(2)}`);

    const second = await vm.step(`upgrade to version ${vm.version(3)}`, () => vm.upgrade(vm.extraDiskDevice(1)));
    t.notRegex(second, /\bwarning\b/i, `the second upgrade reports no warning:\n${second.trim()}`);
    const mountsAgain = await vm.writableDiskMounts();
    t.is(mountsAgain, '', `after the second upgrade no disk filesystem stays mounted read-write: ${mountsAgain}`);
    await vm.rebootToShell(`reboot into version ${vm.version(3)}`);
    vm.expectBooted(t, { device: 'hd0d', version: vm.version(3) }, `after a second upgrade and a reboot, root d runs version ${vm.version(3)}`);

    await vm.boot.powerCut();
    t.is(await sha256File(vm.fixture.disk), vm.fixture.manifest.files['disk.img']!.sha256, 'the base image was never written');
  },
);
