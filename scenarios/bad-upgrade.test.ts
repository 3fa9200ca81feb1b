// bad-upgrade: damaged or wrong upgrade input is refused, boot.conf stays as it was, and the old root boots.
import { createTempFolder, makeBadInputs, scenario } from 'bootproof';

scenario(
  {
    name: 'bad-upgrade',
    needs: ['ab-roots'],
    description: 'A truncated, corrupted, empty, oversized or non-filesystem .fs is refused and changes nothing',
    depth: 'full',
    ci: ['amd64-uefi', 'amd64-bios'],
    extraDisks: 4,
    timeoutMinutes: 15,
    detects: [{ variant: 'flip-before-check', failure: /boot\.conf is unchanged/, machines: ['amd64-uefi'] }],
  },
  async (t, vm) => {
    const work = await createTempFolder('bad-upgrade');
    t.teardown(() => work.cleanup());
    const bad = await makeBadInputs(vm.fixture.rootFs[2], work.path);
    const disks = [bad.truncated, bad.flipped, bad.larger, bad.notFilesystem];
    await vm.boot.powerOn({ disks });
    await vm.step('boot the image', () => vm.boot.reach('shell'));
    const bootConf = await vm.readBootConf();

    const cases: [name: string, input: string, reason: RegExp][] = [
      ['a truncated .fs', vm.extraDiskDevice(0), /truncated|short/i],
      ['a .fs with flipped bytes', vm.extraDiskDevice(1), /checksum|corrupt/i],
      ['a .fs larger than the partition', vm.extraDiskDevice(2), /larger/i],
      ['a file that is not a filesystem', vm.extraDiskDevice(3), /not a .*filesystem|bad magic/i],
      ['an empty input', '/dev/null', /empty/i],
    ];
    for (const [name, input, reason] of cases) {
      const output = await vm.step(`refuse ${name}`, () => vm.upgradeRefused(input));
      const refusal = vm.profile.commands.upgradeRefused.exec(output)?.[0];
      t.truthy(refusal, `${name} is refused with a message:\n${output}`);
      t.regex(refusal ?? '', reason, `the message for ${name} names the problem: ${refusal}`);
      t.is(await vm.readBootConf(), bootConf, `boot.conf is unchanged after ${name}`);
    }

    await vm.rebootToShell();
    vm.expectBooted(t, { device: 'hd0d', version: vm.version(1) }, `after every refused upgrade, the old root d still boots version ${vm.version(1)}`);
  },
);
