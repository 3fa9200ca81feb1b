import test from 'ava';
import { TimeScale } from '../deadline.ts';
import { Console } from '../console/console.ts';
import { BootPath } from './boot-path.ts';
import { loadProfile } from '../config/profile.ts';
import { parseVmConfig } from '../config/vm-config.ts';
import { fakeMachine } from './testdata/fake-machine.ts';
import { FailFast, UsageError } from '../errors.ts';

const slof = {
  description: 'pseries with SLOF',
  arch: 'ppc64el',
  qemu: { binary: 'qemu-system-ppc64', package: 'qemu-system-ppc' },
  machine: 'pseries',
  firmware: {
    kind: 'slof',
    banner: 'SLOF \\*+',
    nvramBytes: 65536,
    prompt: { regex: '0 > ', interruptKey: 's', interruptWindow: 'Press "s" to enter Open Firmware', repeatMs: 20, clearTypeAhead: true },
    boot: { commands: ['setenv boot-device disk:{loaderPartition},\\{loaderFile}', 'reset-all'], persistence: 'nvram', failure: 'E3\\d{3}: [^\\n]*' },
  },
  disk: { interface: 'virtio', guestDevices: ['/dev/vda', '/dev/vdb'] },
  depth: 'full',
};

/**
 * A fake SLOF: reads keys only once probing ends (after 30 ms), autoboots boot-device, keeps
 * `setenv` in an NVRAM that outlives a restart; the loader is the fixture's boot stage.
 */
class FakeOpenFirmware {
  nvram: Record<string, string> = {};
  starts = 0;
  console!: Console;
  private line = '';
  private interrupted = false;
  private probing = true;
  private where: 'firmware' | 'loader' | 'elsewhere' = 'elsewhere';

  constructor(private readonly keepsSettings: boolean) {}

  start(): Console {
    this.starts++;
    this.console = new Console({ write: (data) => this.key(data), time: new TimeScale('kvm'), failFast: [], typingDelayMs: 0 });
    this.reset();
    return this.console;
  }

  private reset(): void {
    if (!this.keepsSettings) this.nvram = {};
    this.line = '';
    this.interrupted = false;
    this.probing = true;
    this.where = 'elsewhere';
    this.console.feed('\r\nSLOF **********************************************************************\r\n');
    this.console.feed('Press "s" to enter Open Firmware.\r\n');
    setTimeout(() => {
      this.probing = false;
      if (this.interrupted) return this.prompt();
      const device = this.nvram['boot-device'];
      if (device === 'disk:1,\\ofwboot') return this.loader();
      this.console.feed(`Trying to load:  from: ${device ?? 'disk'} ...\r\nE3404: Not a bootable device!\r\n`);
      this.prompt();
    }, 30);
  }

  private prompt(): void {
    this.where = 'firmware';
    this.console.feed('\r\n0 > ');
  }

  private loader(): void {
    this.where = 'loader';
    this.console.feed('Welcome to GRUB!\r\nresflash-fixture boot: device hd0d (from /etc/boot.conf)\r\npress ESC within 3 seconds for the boot> prompt\r\n');
  }

  private key(data: string): void {
    if (this.probing) {
      if (data === 's') this.interrupted = true;
      this.line += data; // typed ahead, read once probing ends
      return;
    }
    if (this.where === 'loader' && data === '\x1b') return void this.console.feed('boot> ');
    if (this.where !== 'firmware') return;
    this.line += data;
    if (data !== '\r') return void this.console.feed(`\x1b7${data}\x1b8`);
    const command = this.line.slice(0, -1);
    this.line = '';
    setTimeout(() => this.run(command), 1);
  }

  private run(command: string): void {
    const setenv = /^setenv (\S+) (\S+)$/.exec(command);
    if (setenv) {
      this.nvram[setenv[1]!] = setenv[2]!;
      this.console.feed('  ok');
      return this.prompt();
    }
    if (command === 'reset-all') return this.reset();
    if (command === 'boot') return this.nvram['boot-device'] === 'disk:1,\\ofwboot' ? this.loader() : this.prompt();
    if (command === 'printenv boot-device') {
      this.console.feed(`\r\nDefault PROM:  disk\r\nCurrent: ${this.nvram['boot-device'] ?? 'disk'}\r\n  ok`);
      return this.prompt();
    }
    if (command !== '') this.console.feed(`\r\nUndefined word\r\n`);
    this.prompt();
  }
}

test('nvram: the boot commands are typed once; after a QEMU restart the firmware boots the loader by itself', async (t) => {
  const firmware = new FakeOpenFirmware(true);
  const boot = new BootPath(fakeMachine(parseVmConfig('fake', 'fake.json', slof), firmware), loadProfile('fixture'));
  await boot.reach('loader');
  t.deepEqual(boot.lastBoot.firmware, { typed: ['setenv boot-device disk:1,\\ofwboot', 'reset-all'], persistence: 'nvram' });
  t.is(firmware.nvram['boot-device'], 'disk:1,\\ofwboot');
  t.true((boot.lastBoot.phases.firmwareMs ?? -1) >= 0);

  await boot.quit();
  await boot.reach('loader');
  t.is(boot.boots.length, 2);
  t.is(boot.lastBoot.firmware, undefined, 'nothing is typed at the firmware after the restart');
  t.is(firmware.starts, 2);
});

test('none: a firmware that keeps nothing is told at every power-on, and the record says so', async (t) => {
  const firmware = new FakeOpenFirmware(false);
  const commands = ['setenv boot-device disk:{loaderPartition},\\{loaderFile}', 'boot'];
  const raw = { ...slof, firmware: { ...slof.firmware, boot: { ...slof.firmware.boot, commands, persistence: 'none' } } };
  const boot = new BootPath(fakeMachine(parseVmConfig('fake', 'fake.json', raw), firmware), loadProfile('fixture'));
  await boot.reach('loader');
  await boot.quit();
  await boot.reach('loader');
  t.deepEqual(
    boot.boots.map((b) => b.firmware?.persistence),
    ['none', 'none'],
  );
  t.deepEqual(boot.lastBoot.firmware?.typed, ['setenv boot-device disk:1,\\ofwboot', 'boot']);
});

test('reach firmware stops autoboot, clears the typed-ahead keys, and a command returns its output', async (t) => {
  const firmware = new FakeOpenFirmware(true);
  firmware.nvram['boot-device'] = 'disk:1,\\ofwboot';
  const boot = new BootPath(fakeMachine(parseVmConfig('fake', 'fake.json', slof), firmware), loadProfile('fixture'));
  await boot.reach('firmware');
  const output = await boot.typeAtFirmware('printenv boot-device');
  t.regex(output, /^Current: disk:1,\\ofwboot$/m);
  await boot.reach('loader');
  t.deepEqual(boot.lastBoot.firmware?.typed, ['setenv boot-device disk:1,\\ofwboot', 'reset-all'], 'from the prompt, the boot commands start the loader');
});

test('a firmware that cannot load the loader fails at once with its message', async (t) => {
  const firmware = new FakeOpenFirmware(true);
  const raw = { ...slof, firmware: { ...slof.firmware, boot: { ...slof.firmware.boot, commands: ['setenv boot-device disk:9,\\nothing', 'reset-all'] } } };
  const boot = new BootPath(fakeMachine(parseVmConfig('fake', 'fake.json', raw), firmware), loadProfile('fixture'));
  const error = await t.throwsAsync(boot.reach('loader'), { instanceOf: FailFast });
  t.regex(error.message, /firmware boot failure.*E3404: Not a bootable device!/s);
});

test('a placeholder nobody provides is an error naming the vm-config, the command and the missing value', async (t) => {
  const firmware = new FakeOpenFirmware(true);
  const raw = { ...slof, firmware: { ...slof.firmware, boot: { ...slof.firmware.boot, commands: ['chain http://{bootServer}/x'] } } };
  const boot = new BootPath(fakeMachine(parseVmConfig('fake', 'fake.json', raw), firmware), loadProfile('fixture'));
  const error = await t.throwsAsync(boot.reach('loader'), { instanceOf: UsageError });
  t.is(error.message, 'fake.json: firmware boot command "chain http://{bootServer}/x" needs a value for {bootServer}: the target profile (fixture) or the scenario must provide it');
  boot.provideFirmwareValues({ bootServer: '10.0.2.2' });
  t.deepEqual(boot.firmwareBootCommands(), ['chain http://10.0.2.2/x']);
});

test('a profile that expects no shell refuses reach("shell") at once, saying why, and the boot path still works', async (t) => {
  const firmware = new FakeOpenFirmware(false);
  const boot = new BootPath(fakeMachine(parseVmConfig('fake', 'fake.json', slof), firmware), loadProfile('generic'));
  await t.throwsAsync(boot.reach('shell'), { instanceOf: UsageError, message: /^profile generic expects no shell \(it has no "shell" section\), so reach\('shell'\) cannot know when it is there: wait for what the image shows with vm\.console\.waitFor/ });
  await t.throwsAsync(boot.reach('loader'), { message: /expects no loader/ });
  t.is(firmware.starts, 0, 'nothing was powered on to wait in vain');
});
