// Runs QEMU on a pseudo-terminal under a hard time limit, with its stderr kept apart from the console.
import pty from 'node-pty';
import { track, untrack } from './reaper.ts';

export interface ExitInfo {
  exitCode: number;
  signal?: number;
}

export interface QemuProcessOptions {
  binary: string;
  args: string[];
  /** QEMU's own warnings go here, not into the console stream. */
  stderrLog: string;
  /** `timeout -s KILL` ceiling: holds even if Node hangs. */
  ceilingSeconds: number;
  cols?: number;
  rows?: number;
  cwd?: string;
}

/** One QEMU process: console bytes out, keystrokes in, and the two ways to end it. */
export class QemuProcess {
  readonly exited: Promise<ExitInfo>;
  readonly pid: number;
  private readonly pty: pty.IPty;
  private alive = true;

  constructor(readonly options: QemuProcessOptions) {
    const script = 'exec 2>>"$0"; exec timeout -s KILL "$1" "$2" "${@:3}"';
    this.pty = pty.spawn(
      'bash',
      ['-c', script, options.stderrLog, String(options.ceilingSeconds), options.binary, ...options.args],
      { name: 'xterm-256color', cols: options.cols ?? 80, rows: options.rows ?? 25, cwd: options.cwd },
    );
    this.pid = this.pty.pid;
    track(this.pid);
    this.exited = new Promise((resolve) => {
      this.pty.onExit(({ exitCode, signal }) => {
        this.alive = false;
        untrack(this.pid);
        resolve({ exitCode, signal: signal || undefined });
      });
    });
  }

  get running(): boolean {
    return this.alive;
  }

  onData(listener: (data: string) => void): void {
    this.pty.onData(listener);
  }

  write(data: string): void {
    if (this.alive) this.pty.write(data);
  }

  /**
   * SIGKILL of the whole process group (`timeout` and QEMU): a power cut, nothing is flushed. Resolves once the group
   * is gone: `timeout` can die before QEMU, which then still holds its disk images' locks for a moment, and the next
   * QEMU on the same disk would fail to get them.
   */
  async kill(): Promise<ExitInfo> {
    if (this.alive) {
      try {
        process.kill(-this.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    const exit = await this.exited;
    await groupGone(this.pid, 5_000);
    return exit;
  }
}

/** Waits until no process of the group `pgid` is left, for at most `ms` (a zombie nobody reaps would count as left). */
async function groupGone(pgid: number, ms: number): Promise<void> {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
