// damaged-boot: an image damaged on the host stops its boot at once with the fail-fast failure the target profile
// names for that damage (a failFast entry's provokedBy), one boot per damage, each on its own copy of the image.
import { join } from 'node:path';
import { createTempFolder, FailFast, makeDamagedImage, scenario } from 'bootproof';

interface DamagedBoot {
  damage: string;
  expected: string;
  /** The fail-fast pattern that ended the boot, or how it ended otherwise. */
  ended: string;
  line: string;
  /** Whether the console, read whole after the boot, matches the expected pattern. */
  shown: boolean;
  seconds: number;
}

scenario(
  {
    name: 'damaged-boot',
    description: "A damaged image stops the boot at once with the profile's named failure, not after a timeout",
    depth: 'full',
    needs: ['provoked-failures'],
    ci: ['amd64-bios', 'mips64-uboot', 'ppc64-ofw'],
    timeoutMinutes: 20,
  },
  async (t, vm) => {
    const work = await createTempFolder('damaged-boot');
    t.teardown(() => work.cleanup());
    const rows: DamagedBoot[] = [];
    vm.data.damagedBoots = rows;
    for (const pattern of vm.profile.failFast.filter((f) => f.provokedBy)) {
      const damage = pattern.provokedBy!;
      const damaged = await makeDamagedImage(vm.machine.options.image, damage, vm.profile, join(work.path, `${damage}.img`));
      t.log(damaged.done);
      const { machine, boot } = await vm.otherMachine(damaged.path, damage);
      const started = performance.now();
      let error: unknown;
      try {
        await vm.step(`boot the image with ${damage}, expecting "${pattern.name}"`, () => boot.reach('shell').catch((caught: unknown) => void (error = caught)));
      } finally {
        await machine.release();
      }
      const ended =
        error instanceof FailFast ? error.description : error ? `${(error as Error).message.split('\n')[0]}` : 'reached the shell';
      const line = error instanceof FailFast ? error.line.trim() : '';
      const shown = pattern.regex.test(machine.console.streamText());
      rows.push({ damage, expected: pattern.name, ended, line, shown, seconds: Math.round((performance.now() - started) / 100) / 10 });
    }
    t.log(rows.map((r) => `${r.damage}: ${r.ended} after ${r.seconds} s${r.line ? ` (${r.line})` : ''}`).join('\n'));

    const wrong = rows.filter((r) => r.ended !== r.expected || !r.shown);
    for (const r of rows.filter((r) => !wrong.includes(r))) t.pass(`${r.damage} stops the boot at once with the profile's "${r.expected}": ${r.line}`);
    if (wrong.length > 0) {
      const why = (r: DamagedBoot) =>
        r.ended !== r.expected
          ? `with ${r.damage} the boot ended with: ${r.ended}`
          : `with ${r.damage} the boot ended with "${r.expected}" but the console does not match its pattern`;
      const patterns = new Map(vm.profile.failFast.map((f) => [f.name, f.regex.source]));
      t.fail(
        `${wrong.length} of ${rows.length} damages did not stop the boot with the fail-fast pattern the profile names for them:\n` +
          wrong.map((r) => `- ${why(r)}; the profile says "${r.expected}" (/${patterns.get(r.expected)}/) stops it`).join('\n'),
      );
    }
  },
);
