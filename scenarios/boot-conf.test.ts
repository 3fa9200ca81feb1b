// boot-conf: a missing, empty or wrong boot.conf makes the loader say so and boot its documented default.
import { scenario } from 'bootproof';

scenario(
  {
    name: 'boot-conf',
    description: 'The loader reports a missing, empty or unknown-device boot.conf and falls back to its default root',
    depth: 'full',
    ci: ['amd64-bios', 'mips64-uboot'],
    timeoutMinutes: 15,
  },
  async (t, vm) => {
    const { loader } = vm.profile;
    await vm.startFrom('shell');
    const cases: [name: string, content: string | null, message: string | undefined][] = [
      ['missing', null, loader.bootConfMissing],
      ['empty', '', loader.bootConfEmpty],
      ['naming an unknown device', 'hd0z', loader.bootConfUnknown?.replace('{device}', 'hd0z')],
    ];
    for (const [name, content, message] of cases) {
      await vm.step(`boot with boot.conf ${name}`, async () => {
        await vm.writeBootConf(content);
        await vm.boot.reboot();
        await vm.boot.reach('shell');
      });
      vm.expectBooted(t, { device: loader.defaultDevice }, `with boot.conf ${name} the loader boots its default ${loader.defaultDevice}`);
      if (message) t.true(vm.boot.sinceBoot().includes(message), `with boot.conf ${name} the loader says "${message}"`);
    }
  },
);
