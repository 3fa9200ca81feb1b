// metadata: a cloud boot tells the provider's metadata service it has booted, and takes its IPv6 settings from it.
import { scenario } from 'bootproof';

/** From power-on to the "booted" signal, at most (KVM scale; TCG multiplies it). */
const signalLimitMs = 60_000;
/** After the shell prompt, the signal may still be on its way for at most this long. */
const graceMs = 10_000;

scenario(
  {
    name: 'metadata',
    description: 'A cloud boot signals "booted" to the instance metadata service in time, and configures the IPv6 address, netmask and gateway it serves',
    depth: 'full',
    needs: ['network'],
    ci: ['amd64-ipxe', 'mips64-uboot', 'amd64-ipxe-uefi'],
    timeoutMinutes: 5,
    detects: [{ variant: 'no-boot-signal', failure: /never signalled state "booted" to the metadata service/, machines: ['amd64-ipxe'] }],
  },
  async (t, vm) => {
    const service = vm.machine.metadata;
    const poweredOn = Date.now();
    await vm.step('power on and boot to a shell', () => vm.boot.reach('shell'));
    const signal = await vm.step('wait for the booted signal', () => service.waitForState('booted', vm.machine.time.ms(graceMs)));
    const afterMs = signal.timeMs - poweredOn;
    t.log(`"booted" arrived ${(afterMs / 1000).toFixed(1)} s after power-on`);
    t.true(afterMs <= vm.machine.time.ms(signalLimitMs), `"booted" came ${(afterMs / 1000).toFixed(1)} s after power-on, past the limit`);
    t.true(
      vm.machine.bootServer.requests.some((r) => r.method === 'GET' && r.path === '/conf' && r.timeMs <= signal.timeMs),
      'the guest fetched its metadata before signalling',
    );

    const { address, netmask, gateway } = service.metadata.ipv6;
    const addresses = await vm.shell.succeed('ip -6 addr show dev eth0');
    t.regex(addresses, new RegExp(`inet6 ${address}/${netmask} `), `the guest has the IPv6 address ${address}/${netmask} it was served`);
    const routes = await vm.shell.succeed('ip -6 route show default');
    t.regex(routes, new RegExp(`^default via ${gateway} dev eth0`, 'm'), `the guest's IPv6 default route goes via the gateway ${gateway} it was served`);
  },
);
