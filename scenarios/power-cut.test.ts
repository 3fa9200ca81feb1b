// power-cut: power is lost at each point of an upgrade; every time, the image boots a whole version, and the new one
// whenever the upgrade had printed its success line before the cut.
import { randomInt } from 'node:crypto';
import { scenario } from 'bootproof';
import type { TestMachine } from 'bootproof';

interface CutPoint {
  name: string;
  /** Console text after which power is cut. */
  trigger: string | RegExp;
  /** Extra time after the trigger, for random instants inside the write. */
  delayMs: number;
  /**
   * What may boot afterwards: the old root, the new one, or either (the flip may or may not have landed). A cut after
   * the console showed the success line allows only the new one, whatever the point.
   */
  expect: ('old' | 'new')[];
}

function cutPoints(vm: TestMachine, randomCuts: number): CutPoint[] {
  const { upgradeSteps, upgradeDone } = vm.profile.commands;
  const last = upgradeSteps.length - 1;
  const points: CutPoint[] = upgradeSteps.map((step, i) => ({
    name: `right after "${step}"`,
    trigger: step,
    delayMs: 0,
    expect: i < last ? ['old'] : ['old', 'new'],
  }));
  for (let i = 0; i < randomCuts; i++) {
    const delayMs = vm.machine.time.ms(randomInt(200, 6000));
    points.push({ name: `${(delayMs / 1000).toFixed(1)} s into the write`, trigger: upgradeSteps[0]!, delayMs, expect: ['old', 'new'] });
  }
  points.push({ name: 'right after the upgrade reported success', trigger: upgradeDone, delayMs: 0, expect: ['new'] });
  return points;
}

scenario(
  {
    name: 'power-cut',
    needs: ['ab-roots'],
    description: 'Power lost at every step of an upgrade (and at random instants of the write) leaves an image that boots a whole version, with /cfg intact',
    depth: 'full',
    ci: ['amd64-bios', 'mips64-uboot'],
    timeoutMinutes: 30,
    detects: [
      { variant: 'unsafe-upgrade', failure: /boot stage failure|after a cut/, machines: ['amd64-bios'] },
      { variant: 'flip-not-durable', failure: /after a cut .*\(it had printed "Upgrade complete!"\) it booted \{"device":"hd0d"/, machines: ['amd64-bios'] },
    ],
  },
  async (t, vm) => {
    const points = cutPoints(vm, process.env.BOOTPROOF_SLICE === 'ci' ? 1 : 3);
    await vm.startFrom('shell');
    const old = { device: 'hd0d', version: vm.version(1) };
    const upgraded = { device: 'hd0e', version: vm.version(2) };
    // Each cut that left the upgraded root active starts again from here: a checkpoint restores in about a second
    // (a machine that cannot resume one boots the base image again instead).
    const fresh = vm.config.resumesCheckpoints ? vm.machine.privatePath('image-at-shell') : undefined;
    if (fresh) await vm.step('save a checkpoint of the image at the shell', () => vm.boot.checkpoint(fresh));

    const { upgradeDone } = vm.profile.commands;
    const doneText = upgradeDone.source.replace(/\\(.)/g, '$1');
    for (const point of points) {
      let printedSuccess = false;
      await vm.step(`cut power ${point.name}`, async () => {
        const upgrade = vm.shell.execute(vm.upgradeCommand(vm.extraDiskDevice(0)), { timeoutMs: 300_000 });
        // The success line promises a durable flip: a cut once the console has shown it must boot the new root.
        void vm.console.waitFor(upgradeDone, { timeoutMs: 300_000 }).then(
          () => (printedSuccess = true),
          () => undefined,
        );
        const endedFirst = upgrade.then((r) => {
          // The trigger may come in the same console chunk as the command's end, which the shell's wait then takes.
          if (typeof point.trigger === 'string' ? r.output.includes(point.trigger) : point.trigger.test(r.output)) return;
          throw new Error(`the upgrade ended (exit status ${r.status}) before "${point.trigger}":\n${r.output}`);
        });
        await Promise.race([vm.console.waitFor(point.trigger, { timeoutMs: 300_000 }), endedFirst]);
        if (point.delayMs > 0) await new Promise((r) => setTimeout(r, point.delayMs));
        if (point.trigger === upgradeDone) printedSuccess = true;
        const cutAfterSuccess = printedSuccess;
        await vm.boot.powerCut();
        printedSuccess = cutAfterSuccess;
        await Promise.allSettled([upgrade, endedFirst]);
        await vm.boot.powerOn();
        await vm.boot.reach('shell');
      });
      const booted = { device: vm.booted.device, version: vm.booted.version };
      const allowed = (printedSuccess ? ['new' as const] : point.expect).map((e) => (e === 'old' ? old : upgraded));
      const because = printedSuccess ? ` (it had printed "${doneText}")` : '';
      t.true(
        allowed.some((a) => a.device === booted.device && a.version === booted.version),
        `after a cut ${point.name}${because} it booted ${JSON.stringify(booted)}; expected ${allowed.map((a) => JSON.stringify(a)).join(' or ')}`,
      );
      await vm.step('check /cfg', () => vm.checkCfg());
      if (booted.device !== old.device && fresh) {
        await vm.step('start again from the image at the shell (checkpoint)', () => vm.boot.restore(fresh));
      } else if (booted.device !== old.device) {
        await vm.step('start again from the image at the shell (base image, power on)', async () => {
          await vm.boot.startOver();
          await vm.boot.reach('shell');
        });
      }
    }
  },
);
