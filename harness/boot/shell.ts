// Runs commands in the guest's shell, with split-typed markers around the output and the exit status.
import { randomInt } from 'node:crypto';
import type { ConsoleProtocol } from '../machine/protocols.ts';
import { CommandFailed } from '../errors.ts';

export interface CommandResult {
  status: number;
  output: string;
}

export interface ShellOptions {
  typingDelayMs: number;
  /** Base time limit of one command, scaled by the console's time factor. */
  timeoutMs?: number;
}

// Letters that never spell ERROR, FAIL or DONE in a marker.
const MARKER_LETTERS = 'ABCEFGHJKLMNOPQSTUVWXYZ';

export function marker(length = 10): string {
  let text = '';
  for (let i = 0; i < length; i++) text += MARKER_LETTERS[randomInt(MARKER_LETTERS.length)];
  return text;
}

export class Shell {
  constructor(
    private readonly consoleOf: () => ConsoleProtocol,
    private readonly options: ShellOptions,
  ) {}

  private get console(): ConsoleProtocol {
    return this.consoleOf();
  }

  /** Runs `command` (one line) and returns its exit status and output, whatever they are. */
  async execute(command: string, options: { timeoutMs?: number; allow?: string[] } = {}): Promise<CommandResult> {
    const m = marker();
    const half = m.length / 2;
    const [a, b] = [m.slice(0, half), m.slice(half)];
    const line = `echo '${a}''${b}'; ${command}; echo "${a}""${b} $?"`;
    await this.console.sendLine(line, { delayMs: this.options.typingDelayMs });
    const wait = { timeoutMs: options.timeoutMs ?? this.options.timeoutMs ?? 60_000, allow: options.allow };
    // Two waits, not one regex across the output: a long output must not outgrow the console's scan window.
    const start = await this.console.waitFor(`${m}\n`, wait);
    const end = await this.console.waitFor(new RegExp(`${m} (\\d+)\\n`), wait);
    return { status: Number(end.captures[0]), output: this.console.streamText(start.end, end.index) };
  }

  /** Runs `command` and returns its output; throws if its exit status is not 0. */
  async succeed(command: string, options: { timeoutMs?: number; allow?: string[] } = {}): Promise<string> {
    const result = await this.execute(command, options);
    if (result.status !== 0) throw new CommandFailed(command, result.status, result.output);
    return result.output;
  }

  /** Runs `command` and returns its output; throws if it succeeds. */
  async fail(command: string, options: { timeoutMs?: number; allow?: string[] } = {}): Promise<string> {
    const result = await this.execute(command, options);
    if (result.status === 0) throw new CommandFailed(command, 0, result.output);
    return result.output;
  }
}
