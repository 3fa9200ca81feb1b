// firmware-settings: the boot device set at the firmware prompt survives a QEMU restart where the firmware keeps it in NVRAM.
import { scenario } from 'bootproof';

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
    const missing = vm.notEchoedAtFirmwarePrompt(vm.boot.firmwareBootCommands());
    t.deepEqual(missing, [], `the firmware echoed each boot command at its prompt; not shown: ${missing.join(', ')}`);

    await vm.step('restart QEMU', () => vm.boot.quit());
    // The image has no partition the firmware boots by default: reaching the loader proves the setting was kept.
    await vm.step('power on: the firmware starts the loader by itself', () => vm.boot.reach('loader'));
    t.is(vm.booted.start, 'power-on', 'the second boot is a new power-on of a new QEMU process');
    t.false(vm.firmwarePromptShown(), 'after the restart the firmware never stopped at its prompt: it started the loader from what NVRAM kept');
    const loaderFile = vm.profile.firmwareLoader?.file;
    if (loaderFile) t.true(vm.boot.sinceBoot().includes(loaderFile), `the firmware loaded ${loaderFile}`);
  },
);
