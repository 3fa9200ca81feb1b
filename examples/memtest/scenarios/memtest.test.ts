// Debian's memtest86+ boots from the machine's firmware and runs its memory tests, shown on the serial console.
import { scenario } from 'bootproof';

scenario(
  {
    name: 'memtest',
    description: "the firmware starts Debian's memtest86+, which draws its screen on the serial console and runs its tests with no errors",
    depth: 'loader',
    ci: ['memtest-bios', 'memtest-uefi'],
    timeoutMinutes: 5,
  },
  async (t, vm) => {
    await vm.boot.powerOn();
    const banner = await vm.step('banner', () => vm.console.waitFor(/Memtest86\+ v(\d+\.\d+)/, { timeoutMs: 120_000 }));
    t.log(`memtest86+ ${banner.captures[0]}`);
    // The test screen, fully drawn: a test number with its name.
    const test = await vm.step('test screen', () =>
      vm.console.waitFor(/#\d+\s+\[[A-Z][^\]]+\]/, { view: 'screen', timeoutMs: 120_000, settleMs: 200 }),
    );
    t.log(`running ${test.text}`);
    const screen = vm.console.screenText();
    t.regex(screen, /Status: Testing/, 'memtest says it is testing');
    t.regex(screen, /Pass:\s+\d+\s+Errors:\s+0\b/, 'no memory errors so far');
    // The tests make progress: the pass gauge moves past 0%.
    await vm.step('pass progress', () => vm.console.waitFor(/Pass\s+[1-9]\d?%/, { view: 'screen', timeoutMs: 180_000 }));
    t.regex(vm.console.screenText(), /Errors:\s+0\b/, 'still no memory errors');
  },
);
