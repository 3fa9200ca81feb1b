import test from 'ava';
import { TimeScale } from '../deadline.ts';
import { Console } from '../console/console.ts';
import { BootPath } from './boot-path.ts';
import { loadProfile } from '../config/profile.ts';
import { loadVmConfig, hasLoaderPrompt, parseVmConfig } from '../config/vm-config.ts';
import { fakeMachine } from './testdata/fake-machine.ts';
import { shellReply } from './testdata/fake-fixture.ts';
import { UsageError } from '../errors.ts';
import { readFileSync } from 'node:fs';

/**
 * A fake Malta U-Boot with the fixture behind it: the prompt comes by itself, `setenv` keeps a variable until the
 * next reset, `boot` runs bootcmd, whose bootargs name the root (rf.device=) or leave it to boot.conf (hd0e here).
 */
class FakeUboot {
  env: Record<string, string> = {};
  bootcmds: string[] = [];
  console!: Console;
  private line = '';
  private where: 'firmware' | 'shell' | 'elsewhere' = 'elsewhere';
  private boots = 0;
  private mounted = 0;

  start(): Console {
    this.console = new Console({ write: (data) => this.key(data), time: new TimeScale('kvm'), failFast: [], typingDelayMs: 0 });
    this.reset();
    return this.console;
  }

  private reset(): void {
    this.env = {};
    this.line = '';
    this.console.feed('\r\n\r\nU-Boot 2023.01+dfsg-2+deb12u3\r\n\r\nBoard: MIPS Malta CoreLV\r\n');
    setTimeout(() => this.prompt(), 5);
  }

  private prompt(): void {
    this.where = 'firmware';
    this.console.feed('maltael # ');
  }

  private key(data: string): void {
    if (this.where === 'elsewhere') return;
    this.line += data;
    if (data !== '\r') return void this.console.feed(data);
    const command = this.line.slice(0, -1);
    this.line = '';
    this.console.feed('\r\n');
    setTimeout(() => (this.where === 'shell' ? this.shell(command) : this.run(command)), 1);
  }

  private run(command: string): void {
    const setenv = /^setenv (\w+) (?:'(.*)'|(.*))$/.exec(command);
    if (setenv) this.env[setenv[1]!] = setenv[2] ?? setenv[3]!;
    if (command === 'boot') return this.boot();
    this.prompt();
  }

  /** bootcmd as it runs: the variables set at the prompt expanded, the others (${filesize}) left as they are. */
  private boot(): void {
    const bootcmd = (this.env.bootcmd ?? '').replace(/\$\{(\w+)\}/g, (whole, name: string) => this.env[name] ?? whole);
    this.bootcmds.push(bootcmd);
    const device = /rf\.device=(\S+?);/.exec(bootcmd)?.[1];
    const root = device ?? 'hd0e';
    const part = root === 'hd0d' ? 5 : 6;
    this.mounted = part;
    const id = `0b6f1c7e-8f2d-4c55-9a43-2c5b1b7d9e1${this.boots++}`;
    this.where = 'elsewhere';
    this.console.feed(
      '## Booting kernel from Legacy Image at 84000000 ...\r\n' +
        (device ? `resflash-fixture boot: device ${root} (from the kernel command line)\r\n` : `resflash-fixture boot: device ${root} (from /etc/boot.conf)\r\n`) +
        `booting ${root} -> /dev/sda${part}\r\nRESFLASH-FIXTURE: initramfs mounted /dev/sda${part} (device ${root}) read-only\r\n` +
        `RESFLASH-FIXTURE: booted from ${root} (root /dev/sda${part}, ro), version ${part === 5 ? 1 : 2}, boot id ${id}\r\n`,
    );
    setTimeout(() => {
      this.where = 'shell';
      this.console.feed(`resflash(${root})# `);
    }, 2);
  }

  private shell(command: string): void {
    if (command === 'reboot') return this.reset();
    const reply = shellReply(command, (typed) => (typed.includes('/proc/mounts') ? `/dev/sda${this.mounted}\r\n` : ''));
    this.console.feed(`${reply ?? ''}resflash(x)# `);
  }
}

test('failover on the kernel command line: the boot commands name the device for one boot, then boot.conf decides again', async (t) => {
  const uboot = new FakeUboot();
  const config = loadVmConfig('mips64-uboot');
  const boot = new BootPath(fakeMachine(config, uboot), loadProfile('fixture'));
  await boot.reach('shell');
  t.like(boot.lastBoot, { device: 'hd0e', version: '2' });

  await boot.bootDevice('hd0d');
  t.like(boot.lastBoot, { device: 'hd0d', version: '1', requestedDevice: 'hd0d' });
  t.deepEqual(boot.lastBoot.witnesses, { loader: 'hd0d', kernelRoot: { source: '/dev/sda5', device: 'hd0d' }, image: 'hd0d' }, 'the initramfs\'s booting line is the loader\'s witness');
  t.regex(uboot.bootcmds[1]!, / quiet cryptomgr\.notests rf\.device=hd0d; tftpboot /, 'the profile\'s kernel argument is in the bootargs');
  t.regex(uboot.bootcmds[1]!, /rd_size=0x\$\{filesize\}/, 'U-Boot\'s own ${variables} are left for U-Boot');
  t.regex(uboot.bootcmds[1]!, / rf\.metadata=http:\/\/10\.0\.2\.2:65535\/conf /, 'the bootargs name the metadata service');
  t.is(boot.lastBoot.firmware?.persistence, 'none');

  await boot.reboot();
  await boot.reach('shell');
  t.like(boot.lastBoot, { device: 'hd0e', version: '2' });
  t.notRegex(uboot.bootcmds[2]!, /rf\.device/, 'the next boot has no device on its command line');
});

test('when QEMU ends under a booted system, the boot path knows it is off: reach(shell) powers on and boots again', async (t) => {
  const uboot = new FakeUboot();
  const machine = fakeMachine(loadVmConfig('mips64-uboot'), uboot);
  const boot = new BootPath(machine, loadProfile('fixture'));
  await boot.reach('shell');
  machine.exit();
  await boot.reach('shell');
  t.is(boot.boots.length, 2, 'a second boot ran');
  t.like(boot.lastBoot, { start: 'power-on', device: 'hd0e', version: '2' });
  t.not(boot.boots[1]!.bootId, boot.boots[0]!.bootId, 'a new system came up');
});

test('a machine that fails over on the kernel command line has no loader prompt', (t) => {
  t.false(hasLoaderPrompt(loadVmConfig('mips64-uboot')));
  t.true(hasLoaderPrompt(loadVmConfig('amd64-bios')));
});

test('kernel-command-line failover without a {kernelArguments} placeholder is refused', (t) => {
  const raw = loadVmConfigRaw() as { firmware: { boot: { commands: string[] } } };
  raw.firmware.boot.commands = ['boot'];
  t.throws(() => parseVmConfig('bad', 'bad.json', raw), {
    instanceOf: UsageError,
    message: 'bad.json: firmware.boot.failover "kernel-command-line" needs a {kernelArguments} placeholder in the boot commands',
  });
});

function loadVmConfigRaw(): Record<string, unknown> {
  return JSON.parse(readFileSync(loadVmConfig('mips64-uboot').file, 'utf8')) as Record<string, unknown>;
}
