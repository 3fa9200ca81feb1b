// A fake PC running the fixture image: SeaBIOS, the boot stage with its boot> prompt, the kernel, /etc/rc and the shell.
import { Console } from '../../console/console.ts';
import { TimeScale } from '../../deadline.ts';

/** Answers a line typed by Shell.execute as a shell does: its start marker, the command's output, its end marker with the status. */
export function shellReply(line: string, run: (command: string) => string): string | undefined {
  const typed = /^echo '(\w+)''(\w+)'; (.*); echo "\1""\2 \$\?"$/.exec(line);
  if (!typed) return undefined;
  const marker = typed[1]! + typed[2]!;
  return `${marker}\r\n${run(typed[3]!)}${marker} 0\r\n`;
}

export interface FakeFixtureOptions {
  /** The device /mbr's boot.conf names. */
  bootConf: 'hd0d' | 'hd0e';
  /** The boot stage accepts `set device X` but boots boot.conf's device (variant ignore-set-device). */
  ignoresSetDevice?: boolean;
  /** /etc/rc reports boot.conf's device instead of the mounted one (variant lying-rc). */
  rcReportsBootConf?: boolean;
}

const partitions = { hd0d: 5, hd0e: 6 } as const;

export class FakeFixture {
  console!: Console;
  /** Whether the kernel of the latest boot started (it prints after the boot stage's booting line). */
  kernelStarted = false;
  private where: 'loader-window' | 'loader' | 'shell' | 'elsewhere' = 'elsewhere';
  private line = '';
  private device: 'hd0d' | 'hd0e' = 'hd0d';
  private mounted: 'hd0d' | 'hd0e' = 'hd0d';
  private boots = 0;

  constructor(private readonly options: FakeFixtureOptions) {}

  start(): Console {
    this.console = new Console({ write: (data) => this.key(data), time: new TimeScale('kvm'), failFast: [], typingDelayMs: 0 });
    this.reset();
    return this.console;
  }

  private reset(): void {
    this.line = '';
    this.device = this.options.bootConf;
    this.console.feed('SeaBIOS (version 1.16.2-debian-1.16.2-1)\r\n');
    this.console.feed(`resflash-fixture boot: device ${this.device} (from /etc/boot.conf)\r\npress ESC within 3 seconds for the boot> prompt\r\n`);
    this.where = 'loader-window';
    setTimeout(() => this.where === 'loader-window' && this.boot(this.device), 30);
  }

  private key(data: string): void {
    if (this.where === 'loader-window' && data === '\x1b') {
      this.where = 'loader';
      return void this.console.feed('boot> ');
    }
    if (this.where !== 'loader' && this.where !== 'shell') return;
    this.line += data;
    if (data !== '\r') return void this.console.feed(data);
    const line = this.line.slice(0, -1);
    this.line = '';
    this.console.feed('\r\n');
    setTimeout(() => (this.where === 'shell' ? this.shell(line) : this.loader(line)), 1);
  }

  private loader(line: string): void {
    const set = /^set device (hd0[de])$/.exec(line);
    if (set) {
      this.device = set[1] as 'hd0d' | 'hd0e';
      return void this.console.feed('boot> ');
    }
    if (line === 'boot') return this.boot(this.options.ignoresSetDevice ? this.options.bootConf : this.device);
    this.console.feed(`resflash-fixture boot: unknown command '${line}'\r\nboot> `);
  }

  private boot(device: 'hd0d' | 'hd0e'): void {
    const part = partitions[device];
    this.where = 'elsewhere';
    this.kernelStarted = false;
    this.console.feed(`booting ${device} -> (hd0,msdos${part})/boot/vmlinuz\r\n`);
    // The boot stage's line comes before the kernel's: a harness that stops here has not waited for the kernel.
    setTimeout(() => {
      this.kernelStarted = true;
      this.mounted = device;
      const reported = this.options.rcReportsBootConf ? this.options.bootConf : device;
      const id = `0b6f1c7e-8f2d-4c55-9a43-2c5b1b7d9e1${this.boots++}`;
      this.console.feed(
        `RESFLASH-FIXTURE: initramfs mounted /dev/vda${part} (device ${device}) read-only\r\n` +
          `RESFLASH-FIXTURE: booted from ${reported} (root /dev/vda${part}, ro), version ${part === 5 ? 1 : 2}, boot id ${id}\r\n`,
      );
      this.where = 'shell';
      this.console.feed(`resflash(${device})# `);
    }, 50);
  }

  private shell(line: string): void {
    if (line === 'reboot') return this.reset();
    const reply = shellReply(line, (command) => (command.includes('/proc/mounts') ? `/dev/vda${partitions[this.mounted]}\r\n` : ''));
    this.console.feed(`${reply ?? ''}resflash(${this.mounted})# `);
  }
}
