// upgrade: v1 on d → upgrade → v2 on e → upgrade → v3 on d; the running system never writes its inactive root.
import { scenario } from '../harness/index.ts';
import { sha256File } from '../harness/disk/sha256.ts';

scenario(
  {
    name: 'upgrade',
    description: 'Two upgrades in a row alternate the active root, each confirmed by a real reboot',
    depth: 'full',
    ci: ['amd64-bios'],
    timeoutMinutes: 15,
  },
  async (t, vm) => {
    await vm.boot.powerOn({ disks: [vm.fixture.rootFs[2], vm.fixture.rootFs[3]] });
    await vm.step('boot version 1', () => vm.boot.reach('shell'));
    t.like(vm.booted, { device: 'hd0d', version: '1' });

    const first = await vm.step('upgrade to version 2', () => vm.upgrade(vm.extraDiskDevice(0)));
    t.log(first.trim());
    t.is(await vm.writableDiskMounts(), '', 'no disk filesystem (least of all the inactive root) stays mounted read-write');
    t.regex(await vm.readBootConf(), /hd0e/, 'boot.conf names the upgraded root');

    await vm.step('reboot into version 2', async () => {
      await vm.boot.reboot();
      await vm.boot.reach('shell');
    });
    t.like(vm.booted, { device: 'hd0e', version: '2' });

    await vm.step('upgrade to version 3', () => vm.upgrade(vm.extraDiskDevice(1)));
    t.is(await vm.writableDiskMounts(), '');
    await vm.step('reboot into version 3', async () => {
      await vm.boot.reboot();
      await vm.boot.reach('shell');
    });
    t.like(vm.booted, { device: 'hd0d', version: '3' });

    await vm.boot.powerCut();
    t.is(await sha256File(vm.fixture.disk), vm.fixture.manifest.files['disk.img']!.sha256, 'the base image was never written');
  },
);
