// failover: `set device` at the loader prompt boots the other root for one boot; a broken root fails clearly.
import { scenario } from 'bootproof';

scenario(
  {
    name: 'failover',
    needs: ['ab-roots'],
    description: 'After an upgrade, the operator boots the previous root from the loader prompt; the next boot is the upgraded one again',
    depth: 'full',
    ci: ['amd64-uefi', 'mips64-uboot', 'amd64-bios', 'ppc64-ofw'],
    timeoutMinutes: 15,
    detects: [
      { variant: 'ignore-set-device', failure: /the loader was asked to boot hd0d but is booting hd0e/, machines: ['amd64-uefi', 'mips64-uboot'] },
      { variant: 'lying-rc', failure: /the kernel mounted \S+ \(hd0d\) but the image reports hd0e/, machines: ['amd64-bios'] },
    ],
  },
  async (t, vm) => {
    await vm.startFrom('upgraded');
    vm.expectBooted(t, { device: 'hd0e', version: vm.version(2) }, `after the upgrade and a reboot, the upgraded root e runs version ${vm.version(2)}`);

    await vm.step('fail over to hd0d at the loader prompt', () => vm.boot.bootDevice('hd0d'));
    vm.expectBooted(t, { device: 'hd0d', version: vm.version(1) }, `the loader booted the device typed at its prompt, the previous root d with version ${vm.version(1)}`);
    const bootConf = await vm.readBootConf();
    t.regex(bootConf, /hd0e/, `failing over at the prompt does not change boot.conf, which still names e: ${bootConf.trim()}`);

    await vm.rebootToShell('reboot without input');
    vm.expectBooted(t, { device: 'hd0e', version: vm.version(2) }, 'the next boot without input runs the upgraded root e again');
  },
);

scenario(
  {
    name: 'failover-to-garbage',
    description: 'Failing over to a root that holds garbage gets a clear refusal from the loader, and the good root still boots',
    depth: 'full',
    ci: ['amd64-bios', 'amd64-uefi'],
    timeoutMinutes: 10,
    needs: ['loader-prompt'],
  },
  async (t, vm) => {
    await vm.startFrom('shell');
    vm.expectBooted(t, { device: 'hd0d' }, 'a fresh image boots root d');
    await vm.step('fill the inactive root with random bytes', () =>
      vm.shell.succeed(`dd if=/dev/urandom of=${vm.partitionPath('hd0e')} bs=1M count=64 2>/dev/null; sync`, { timeoutMs: 120_000 }),
    );
    await vm.step('reboot to the loader prompt', async () => {
      await vm.boot.reboot();
      await vm.boot.reach('loader');
    });
    await vm.boot.typeAtLoader('set device hd0e');
    const refusal = await vm.step('boot the garbage root', () => vm.boot.bootExpectingLoaderFailure());
    t.regex(refusal, /hd0e/, `the loader refuses the garbage root by name: ${refusal}`);

    await vm.step('boot the good root from the same prompt', () => vm.boot.bootDevice('hd0d'));
    vm.expectBooted(t, { device: 'hd0d', version: vm.version(1) }, 'after refusing the garbage root, the loader boots the good root d from the same prompt');
  },
);
