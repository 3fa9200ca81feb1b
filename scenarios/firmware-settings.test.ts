// firmware-settings: the boot device set at the firmware prompt survives a QEMU restart where the firmware keeps it in NVRAM.
import { scenario } from '../harness/index.ts';

scenario(
  {
    name: 'firmware-settings',
    description: "The boot setting typed at the firmware prompt survives a QEMU restart: the firmware then starts the image's loader by itself",
    depth: 'loader',
    needs: ['firmware-nvram'],
    ci: ['ppc64-ofw'],
    timeoutMinutes: 8,
  },
  async (t, vm) => {
    await vm.step('set the boot device at the firmware prompt and reach the loader', () => vm.boot.reach('loader'));
    t.deepEqual(vm.booted.firmware?.typed, vm.boot.firmwareBootCommands(), 'the boot commands were typed at the firmware prompt');

    await vm.step('restart QEMU', () => vm.boot.quit());
    // The image has no partition the firmware boots by default: reaching the loader proves the setting was kept.
    await vm.step('power on: the firmware starts the loader by itself', () => vm.boot.reach('loader'));
    t.is(vm.booted.start, 'power-on');
    t.is(vm.booted.firmware, undefined, 'nothing was typed at the firmware after the restart');
    const loaderFile = vm.profile.firmwareLoader?.file;
    if (loaderFile) t.true(vm.boot.sinceBoot().includes(loaderFile), `the firmware loaded ${loaderFile}`);
  },
);
