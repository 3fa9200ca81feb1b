// A person's terminal for tests: a shell script runs on a pseudo-terminal whose output an xterm emulator shows.
import pty from 'node-pty';
import xterm from '@xterm/headless';
import { fileURLToPath } from 'node:url';

const repository = fileURLToPath(new URL('../../..', import.meta.url));
export const cols = 80;

export class UserTerminal {
  readonly screen = new xterm.Terminal({ cols, rows: 25, allowProposedApi: true });
  /** Everything the pseudo-terminal showed, escape sequences included. */
  shown = '';
  /** The shell's exit status. */
  readonly exited: Promise<number>;
  private readonly pty: pty.IPty;

  /** Runs `script` with bash in the repository, e.g. the way a person would type it. */
  constructor(script: string, env: Record<string, string> = {}) {
    this.pty = pty.spawn('bash', ['-c', script], {
      name: 'xterm-256color',
      cols,
      rows: 25,
      cwd: repository,
      env: { ...process.env, BOOTPROOF_OWNER_PID: '', ...env },
    });
    this.pty.onData((data) => {
      this.shown += data;
      this.screen.write(data);
    });
    this.exited = new Promise((resolve) => this.pty.onExit(({ exitCode }) => resolve(exitCode)));
  }

  type(keys: string): void {
    this.pty.write(keys);
  }

  kill(): void {
    try {
      this.pty.kill('SIGKILL');
    } catch {
      // ended already
    }
  }

  /** Waits until the output matches; throws with the output so far after `seconds`. */
  async waitFor(what: RegExp, seconds: number): Promise<RegExpExecArray> {
    const until = Date.now() + seconds * 1000;
    for (;;) {
      const match = what.exec(this.shown);
      if (match) return match;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}; the terminal showed:\n${JSON.stringify(this.shown.slice(-1500))}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Resolves once the emulator has taken in everything received so far. */
  settled(): Promise<void> {
    return new Promise((resolve) => this.screen.write('', resolve));
  }

  /** The emulator's own answer to "is DEC private mode N set?" (DECRQM). */
  async decMode(mode: number): Promise<boolean> {
    await this.settled();
    const answer = new Promise<string>((resolve) => {
      const listener = this.screen.onData((data) => {
        const m = new RegExp(`\\x1b\\[\\?${mode};(\\d)\\$y`).exec(data);
        if (m) {
          listener.dispose();
          resolve(m[1]!);
        }
      });
    });
    this.screen.write(`\x1b[?${mode}$p`);
    const state = await answer;
    if (state !== '1' && state !== '2') throw new Error(`the emulator does not know DEC mode ${mode} (DECRQM answer ${state})`);
    return state === '1';
  }

  /** The screen's rows as text, each row joined to the ones it wrapped onto; `y` is the first row's. */
  async lines(): Promise<{ text: string; rows: number; y: number }[]> {
    await this.settled();
    const buffer = this.screen.buffer.active;
    const lines: { text: string; rows: number; y: number }[] = [];
    for (let y = 0; y < buffer.length; y++) {
      const row = buffer.getLine(y)!;
      const text = row.translateToString(true);
      if (row.isWrapped && lines.length > 0) {
        const last = lines.at(-1)!;
        last.text += text;
        last.rows++;
      } else {
        lines.push({ text, rows: 1, y });
      }
    }
    return lines;
  }
}
