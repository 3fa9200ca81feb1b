// `bootproof console`: a person's terminal on a machine's serial console, with an escape key for a command line.
import { isAbsolute, join } from 'node:path';
import type { Machine, StartOptions } from '../machine/machine.ts';
import type { ExitInfo } from '../qemu/process.ts';

/** Ctrl-]: the escape key (as in telnet); every other key goes to the guest, Ctrl-C included. */
export const escapeKey = '\x1d';

export interface Terminal {
  /** Keystrokes of the person, raw. */
  onInput(listener: (data: string) => void): void;
  write(data: string): void;
}

export interface Command {
  names: string[];
  help: string;
  run(argument: string): Promise<string | void>;
}

const prompt = '\r\nbootproof> ';

/**
 * Runs one session: the guest's output goes to the terminal and the terminal's keys to the guest until `quit`
 * or until QEMU ends by itself. While the command line is open, the guest's output waits and is shown after.
 */
export class ConsoleSession {
  private menu: string | undefined;
  private held: string[] = [];
  private readonly ended: Promise<string>;
  private end!: (why: string) => void;
  private commands: Command[];
  private busy = false;
  /** Bumped whenever the harness itself ends QEMU, so that only an exit nobody asked for ends the session. */
  private generation = 0;
  private nextFs = 0;
  private saves = 0;
  private lastCheckpoint: string | undefined;

  constructor(
    private readonly machine: Machine,
    private readonly terminal: Terminal,
    private readonly options: {
      fs: string[];
      /** Where `save` puts checkpoints (one folder each). */
      checkpoints: string;
      /** The checkpoint the session started from, which `restore` without a name goes back to. */
      restoredFrom?: string;
      startOptions?: StartOptions;
      /** The machine is running already (a replay): the session starts without powering on. */
      alreadyOn?: boolean;
      extraCommands?: Command[];
    },
  ) {
    this.ended = new Promise((resolve) => (this.end = resolve));
    this.lastCheckpoint = options.restoredFrom;
    this.commands = [...this.builtinCommands(), ...(options.extraCommands ?? [])];
    terminal.onInput((data) => this.input(data));
  }

  /** Called with every chunk of guest output (wire it as the machine's tap). */
  output(raw: string): void {
    if (this.menu !== undefined) this.held.push(raw);
    else this.terminal.write(raw);
  }

  /** Powers on and resolves with why the session ended once it has. */
  async run(): Promise<string> {
    if (this.options.alreadyOn) void this.watchExit();
    else await this.powerOn();
    this.terminal.write(`bootproof: console of ${this.machine.options.config.name}; Ctrl-] opens the command line (help lists the commands)\r\n`);
    return this.ended;
  }

  private async powerOn(): Promise<void> {
    await this.machine.start(this.options.startOptions);
    void this.watchExit();
  }

  private async watchExit(): Promise<void> {
    const generation = this.generation;
    const info = await this.machine.exited();
    if (generation === this.generation && info) this.end(`QEMU exited by itself (${describeExit(info)})`);
  }

  private input(data: string): void {
    if (this.menu === undefined) {
      const at = data.indexOf(escapeKey);
      const before = at < 0 ? data : data.slice(0, at);
      if (before && this.machine.running) void this.machine.console.send(before, 0);
      if (at < 0) return;
      this.menu = '';
      this.terminal.write(prompt);
      data = data.slice(at + 1);
    }
    for (const char of data) {
      if (this.busy) return;
      if (char === escapeKey || char === '\x03' || char === '\x1b') return this.closeMenu('\r\n');
      if (char === '\r' || char === '\n') {
        void this.execute(this.menu!.trim());
      } else if (char === '\x7f' || char === '\b') {
        if (this.menu!.length > 0) {
          this.menu = this.menu!.slice(0, -1);
          this.terminal.write('\b \b');
        }
      } else if (char >= ' ') {
        this.menu += char;
        this.terminal.write(char);
      }
    }
  }

  private closeMenu(text: string): void {
    this.menu = undefined;
    this.terminal.write(text);
    for (const chunk of this.held.splice(0)) this.terminal.write(chunk);
  }

  private async execute(line: string): Promise<void> {
    const [name = '', ...rest] = line.split(/\s+/);
    if (name === '') return this.closeMenu('\r\n');
    const command = this.commands.find((c) => c.names.includes(name));
    if (!command) {
      this.terminal.write(`\r\nunknown command "${name}" (help lists the commands)${prompt}`);
      this.menu = '';
      return;
    }
    this.busy = true;
    this.terminal.write('\r\n');
    try {
      const said = await command.run(rest.join(' '));
      this.busy = false;
      if (this.menu !== undefined) this.closeMenu(said ? `[bootproof] ${said}\r\n` : '');
    } catch (error) {
      this.busy = false;
      this.closeMenu(`[bootproof] ${name} failed: ${(error as Error).message.split('\n')[0]}\r\n`);
    }
  }

  private builtinCommands(): Command[] {
    const qmp = (command: string) => () => this.machine.qmp.execute(command).then(() => undefined);
    return [
      { names: ['help', '?'], help: 'list the commands', run: async () => this.help() },
      {
        names: ['quit', 'q'],
        help: 'end the session: QEMU quits (disks flushed) and the recording is closed',
        run: async () => {
          this.generation++;
          await this.machine.quit();
          this.end('quit');
          return 'quit';
        },
      },
      {
        names: ['cut', 'power-cut'],
        help: 'power cut (SIGKILL of QEMU, nothing flushed), then power on again on the same disk',
        run: async () => {
          this.generation++;
          await this.machine.crash();
          await this.powerOn();
          return 'power was cut and is back on';
        },
      },
      { names: ['reset'], help: 'press the reset button (QMP system_reset)', run: async () => (await qmp('system_reset')(), 'reset') },
      { names: ['pause', 'stop'], help: 'freeze the machine (QMP stop)', run: async () => (await qmp('stop')(), 'paused; "resume" continues') },
      { names: ['resume', 'cont'], help: 'let a paused machine run on (QMP cont)', run: async () => (await qmp('cont')(), 'running') },
      {
        names: ['save'],
        help: 'save a checkpoint (RAM, devices, disk, firmware variables): save [NAME]',
        run: async (name) => {
          const dir = join(this.options.checkpoints, name || `checkpoint-${++this.saves}`);
          const info = await this.machine.checkpoint(dir);
          this.lastCheckpoint = dir;
          return `saved checkpoint ${dir} (${(info.stateBytes / 1048576).toFixed(0)} MiB of state); "restore" goes back to it`;
        },
      },
      {
        names: ['restore'],
        help: 'go back to a checkpoint: restore [NAME or folder] (default: the last one saved)',
        run: async (name) => {
          const dir = name ? (isAbsolute(name) || name.includes('/') ? name : join(this.options.checkpoints, name)) : this.lastCheckpoint;
          if (!dir) return 'no checkpoint saved yet: "save" first';
          this.generation++;
          await this.machine.crash();
          await this.machine.useCheckpoint(dir);
          await this.powerOn();
          return `restored ${dir}`;
        },
      },
      {
        names: ['attach'],
        help: 'plug the next --fs file in as a read-only disk',
        run: async () => {
          const fs = this.options.fs[this.nextFs];
          if (!fs) return this.options.fs.length ? 'every --fs file is attached already' : 'no --fs file was given';
          const id = await this.machine.plugDisk(fs);
          this.nextFs++;
          return `attached ${fs} as ${id}`;
        },
      },
    ];
  }

  private help(): string {
    const lines = this.commands.map((c) => `  ${c.names.join(', ').padEnd(16)} ${c.help}`);
    return `commands (Ctrl-], Esc or Ctrl-C closes this line):\r\n${lines.join('\r\n')}`;
  }
}

function describeExit(info: ExitInfo): string {
  return info.signal ? `signal ${info.signal}` : `exit code ${info.exitCode}`;
}
