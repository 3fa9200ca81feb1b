// boot: power on, reach the shell (or, on a machine that boots only as far as the loader, its prompt) and check what came up.
import { fill, scenario } from 'bootproof';

scenario(
  {
    name: 'boot',
    description: 'A fresh image boots root d read-only, with /etc from memory and /cfg overlaid',
    depth: 'full',
    ci: ['amd64-bios', 'amd64-uefi', 'ppc64-ofw', 'amd64-ipxe', 'amd64-ipxe-uefi', 'mips64-uboot'],
    timeoutMinutes: 5,
  },
  async (t, vm) => {
    await vm.step('power on and boot to a shell', () => vm.boot.reach('shell'));
    vm.expectBooted(t, { device: 'hd0d', version: vm.version(1) }, `a fresh image boots the root boot.conf names, d, with version ${vm.version(1)}`);
    t.truthy(vm.booted.bootId, 'the boot reports a boot id, which tells one boot from the next');

    const rootMount = await vm.shell.succeed("awk '$2 == \"/\" { print $4 }' /proc/mounts");
    t.regex(rootMount.trim(), /^ro(,|$)/, `the root filesystem is mounted read-only: ${rootMount.trim()}`);
    const write = await vm.shell.execute('touch /bootproof-write-test');
    t.not(write.status, 0, 'writing to / fails');
    t.regex(write.output, /Read-only file system/, `writing to / fails because the root is read-only: ${write.output.trim()}`);

    const motd = await vm.shell.succeed('cat /etc/motd');
    t.regex(motd, /motd restored from \/cfg/, '/etc holds the copy saved in /cfg');
  },
);

scenario(
  {
    name: 'boot-to-loader',
    description: "The firmware starts the image's loader, which offers its prompt and refuses the empty root e of a fresh image by name",
    depth: 'loader',
    needs: ['loader-prompt'],
    ci: ['macppc-ofw', 'amd64-bios', 'amd64-uefi', 'ppc64-ofw'],
    timeoutMinutes: 5,
  },
  async (t, vm) => {
    await vm.step('power on to the loader prompt', () => vm.boot.reach('loader'));
    if (vm.config.firmware.boot) {
      const missing = vm.notEchoedAtFirmwarePrompt(vm.boot.firmwareBootCommands());
      t.deepEqual(missing, [], `the firmware echoed each boot command at its prompt before the loader started; not shown: ${missing.join(', ')}`);
    }
    await vm.boot.typeAtLoader(fill(vm.profile.loader.selectDevice, { device: 'hd0e' }));
    const refusal = await vm.step('boot the empty root e', () => vm.boot.bootExpectingLoaderFailure());
    t.regex(refusal, /hd0e/, `the loader reads the disk's partitions and names the root it cannot boot: ${refusal}`);
  },
);
