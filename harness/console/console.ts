// The serial console: a raw transcript, a stripped stream with a match cursor, a rendered screen, and typing.
import { AnsiStripper } from './ansi.ts';
import { keyBytes } from '../config/keys.ts';
import type { FailFastPattern } from '../config/profile.ts';

export type { FailFastPattern };
import { Screen } from './screen.ts';
import { Deadline, sleep, type TimeScale } from '../deadline.ts';
import { FailFast, QemuExited, WaitTimeout } from '../errors.ts';

export type View = 'stream' | 'screen';


export interface WaitOptions {
  view?: View;
  /** Base time limit in ms, multiplied by the console's time factor. */
  timeoutMs?: number;
  /** An absolute deadline shared with other waits; wins over timeoutMs. */
  deadline?: Deadline;
  /** Names of fail-fast patterns this wait expects and must not fail on. */
  allow?: string[];
  /** On timeout, resolve with outcome 'timeout' instead of throwing. */
  softTimeout?: boolean;
  /** Fail-fast patterns for this wait only, e.g. a firmware banner while a kernel boots. */
  failFast?: FailFastPattern[];
  /**
   * On the screen view: match only once the screen has had no output for this long (base ms, scaled like
   * timeouts), so that a dialog is matched fully drawn, not while only its title row is.
   */
  settleMs?: number;
}

export interface Match {
  /** Where the match starts and ends in the stream (-1 on the screen view). */
  index: number;
  end: number;
  text: string;
  captures: (string | undefined)[];
  groups: Record<string, string | undefined>;
}

export type Outcome<K extends string> = { outcome: K; match: Match } | { outcome: 'timeout'; match?: undefined };

export interface ConsoleOptions {
  write: (data: string) => void;
  time: TimeScale;
  failFast: FailFastPattern[];
  /** Delay between typed characters (firmware and boot loaders poll their UART). */
  typingDelayMs: number;
  cols?: number;
  rows?: number;
  onOutput?: (raw: string) => void;
  onInput?: (data: string) => void;
}

interface Waiter {
  description: string;
  view: View;
  patterns: [string, RegExp][];
  failFast: FailFastPattern[];
  scanned: number;
  settleMs?: number;
  settleTimer?: NodeJS.Timeout;
  resolve: (value: { outcome: string; match: Match } | { outcome: 'timeout' }) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

const OVERLAP = 4096;
const DEFAULT_TIMEOUT_MS = 30_000;

export class Console {
  private readonly stripper = new AnsiStripper();
  private readonly screen: Screen;
  private readonly waiters = new Set<Waiter>();
  private plain = '';
  private cursor = 0;
  private ended: { exitCode: number; signal?: number } | undefined;
  private firstOutput: Promise<void>;
  private sawOutput!: () => void;

  constructor(private readonly options: ConsoleOptions) {
    this.screen = new Screen(options.cols ?? 80, options.rows ?? 25);
    this.firstOutput = new Promise((resolve) => (this.sawOutput = resolve));
  }

  /** The terminal is set up although nothing was printed yet (a VM restored from a checkpoint): input may go out. */
  inputReady(): void {
    this.sawOutput();
  }

  /**
   * Feeds output from the machine; the process layer calls this for every chunk. Stream waits are checked at once
   * (the read loop stays fast); the screen parses the chunk asynchronously and screen waits are checked once it has.
   */
  feed(raw: string): void {
    this.sawOutput();
    this.options.onOutput?.(raw);
    this.plain += this.stripper.push(raw);
    for (const waiter of this.waiters) if (waiter.view === 'stream') this.checkStream(waiter);
    this.pendingWrites++;
    this.screen.write(raw, () => {
      this.pendingWrites--;
      this.checkScreens();
    });
  }

  private pendingWrites = 0;

  private checkWaiters(): void {
    for (const waiter of this.waiters) if (waiter.view === 'stream') this.checkStream(waiter);
    this.checkScreens();
  }

  /** Resolves once the screen has parsed everything fed so far (screenText() then shows all of it). */
  flushed(): Promise<void> {
    return new Promise((resolve) => this.screen.write('', resolve));
  }

  /** The machine is gone: pending waits fail now, later ones fail unless already satisfied. */
  end(exitCode: number, signal?: number): void {
    this.ended = { exitCode, signal };
    for (const waiter of this.waiters) this.checkStream(waiter);
    for (const waiter of this.waiters) {
      this.settle(waiter);
      waiter.reject(new QemuExited(exitCode, signal, waiter.description, this.evidence()));
    }
  }

  /** Waits for one pattern; see waitForAny. */
  async waitFor(pattern: RegExp | string, options: WaitOptions = {}): Promise<Match> {
    const result = await this.waitForAny({ match: pattern }, options);
    if (result.outcome === 'timeout') throw new Error('unreachable: soft timeout on waitFor');
    return result.match;
  }

  /**
   * Waits until one of the named patterns appears and says which. On the stream view the
   * earliest match after the cursor wins and the cursor moves past it.
   */
  waitForAny<K extends string>(patterns: Record<K, RegExp | string>, options: WaitOptions = {}): Promise<Outcome<K>> {
    const view = options.view ?? 'stream';
    const compiled = Object.entries<RegExp | string>(patterns).map(
      ([name, p]) => [name, toGlobalRegex(p)] as [string, RegExp],
    );
    const description = `${compiled.map(([name, r]) => (name === 'match' ? `/${r.source}/` : `${name} /${r.source}/`)).join(' or ')} on the ${view}`;
    const allowed = new Set(options.allow ?? []);
    const failFast = [...this.options.failFast, ...(options.failFast ?? [])]
      .filter((f) => !allowed.has(f.name))
      .map((f) => ({ ...f, regex: toGlobalRegex(f.regex) }));
    const timeoutMs = options.deadline?.remainingMs() ?? this.options.time.ms(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);

    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        description,
        view,
        patterns: compiled,
        failFast,
        scanned: this.cursor,
        ...(options.settleMs !== undefined ? { settleMs: this.options.time.ms(options.settleMs) } : {}),
        resolve: resolve as Waiter['resolve'],
        reject,
        timer: setTimeout(() => {
          this.settle(waiter);
          if (options.softTimeout) resolve({ outcome: 'timeout' });
          else reject(new WaitTimeout(description, timeoutMs, this.evidence()));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
      // Checked once the screen has parsed what came before, as every wait is (see feed); at once when QEMU has ended.
      const failIfEnded = () => {
        if (!this.ended || !this.waiters.has(waiter)) return;
        this.settle(waiter);
        reject(new QemuExited(this.ended.exitCode, this.ended.signal, description, this.evidence()));
      };
      if (this.ended && view === 'stream') {
        this.checkStream(waiter);
        failIfEnded();
      } else {
        this.screen.write('', () => (this.checkWaiters(), failIfEnded()));
      }
    });
  }

  /** Types `text`, one character at a time with the typing delay (or `delayMs`). */
  async send(text: string, delayMs = this.options.typingDelayMs): Promise<void> {
    await this.firstOutput;
    if (delayMs <= 0) return this.write(text);
    for (const char of text) {
      this.write(char);
      await sleep(delayMs);
    }
  }

  /** Presses named keys in order: escape, enter, space, tab, backspace, ctrl-<letter>. */
  async sendKeys(...names: string[]): Promise<void> {
    await this.send(names.map(keyBytes).join(''), this.options.typingDelayMs);
  }

  /**
   * Types `line` and Enter. With `echo`, waits until the line has been echoed before pressing Enter, and types it
   * ECHO_WINDOW characters at a time, each piece once the one before has been echoed.
   */
  async sendLine(line: string, options: { echo?: boolean; delayMs?: number } = {}): Promise<void> {
    if (!options.echo) {
      await this.send(line, options.delayMs);
    } else {
      const chars = [...line];
      for (let at = 0; at < chars.length; at += ECHO_WINDOW) {
        const piece = chars.slice(at, at + ECHO_WINDOW).join('');
        await this.send(piece, options.delayMs);
        await this.waitFor(piece, { timeoutMs: 10_000 });
      }
    }
    await this.send(keyBytes('enter'), 0);
  }

  /**
   * The rendered screen, rows joined by newlines, as parsed so far: await flushed() to see everything fed (a
   * scenario's vm.console does that after each wait, and screen waits match only what was parsed).
   */
  screenText(): string {
    return this.screen.text();
  }

  /** The stripped stream, whole, or the part between two stream positions. */
  streamText(from = 0, to = this.plain.length): string {
    return this.plain.slice(from, to);
  }

  /** The last screen and the end of the stream, for error messages. */
  evidence(): string {
    const tail = this.plain.slice(-1500);
    return `--- last screen ---\n${this.screen.text()}\n--- stream tail ---\n${tail}\n---`;
  }

  dispose(): void {
    for (const waiter of this.waiters) this.settle(waiter);
    this.screen.dispose();
  }

  private write(data: string): void {
    if (this.ended) return;
    this.options.onInput?.(data);
    this.options.write(data);
  }

  private checkStream(waiter: Waiter): void {
    const from = Math.max(this.cursor, waiter.scanned - OVERLAP);
    waiter.scanned = this.plain.length;
    const found = earliest(waiter.patterns, this.plain, from);
    const fatal = earliest(waiter.failFast.map((f) => [f.name, f.regex]), this.plain, from);
    if (fatal && (!found || fatal.index < found.index)) {
      this.settle(waiter);
      const line = lineAround(this.plain, fatal.index);
      waiter.reject(new FailFast(fatal.name, line, waiter.description, this.evidence()));
      return;
    }
    if (!found) return;
    this.cursor = found.index + found.match[0].length;
    this.settle(waiter);
    waiter.resolve({ outcome: found.name, match: toMatch(found.match, found.index) });
  }

  private checkScreens(): void {
    if (![...this.waiters].some((w) => w.view === 'screen')) return;
    const text = this.screen.text();
    for (const waiter of this.waiters) {
      if (waiter.view !== 'screen') continue;
      const found = earliest(waiter.patterns, text, 0);
      clearTimeout(waiter.settleTimer);
      if (!found) continue;
      if (waiter.settleMs !== undefined && !this.ended) {
        // Any output before the timer fires calls checkScreens again, which starts it over.
        waiter.settleTimer = setTimeout(() => this.resolveScreen(waiter), waiter.settleMs);
        continue;
      }
      this.settle(waiter);
      waiter.resolve({ outcome: found.name, match: toMatch(found.match, -1) });
    }
  }

  /** A settled screen wait: the screen was still for its settle time; it matches if the pattern is still there. */
  private resolveScreen(waiter: Waiter): void {
    if (!this.waiters.has(waiter) || this.pendingWrites > 0) return;
    const found = earliest(waiter.patterns, this.screen.text(), 0);
    if (!found) return;
    this.settle(waiter);
    waiter.resolve({ outcome: found.name, match: toMatch(found.match, -1) });
  }

  private settle(waiter: Waiter): void {
    clearTimeout(waiter.settleTimer);
    clearTimeout(waiter.timer);
    this.waiters.delete(waiter);
  }
}

/**
 * The most characters typed ahead of their echo at a prompt. SeaBIOS's serial console moves up to 16 bytes at a time
 * from the UART into the BIOS keyboard buffer, which holds 15: a 16th key typed ahead was lost (iPXE read
 * "http://100.2.2" for "http://10.0.2.2").
 */
const ECHO_WINDOW = 8;

function toGlobalRegex(pattern: RegExp | string): RegExp {
  if (typeof pattern === 'string') return new RegExp(escapeRegex(pattern), 'g');
  return new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g');
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function earliest(patterns: [string, RegExp][], text: string, from: number) {
  let best: { name: string; index: number; match: RegExpExecArray } | undefined;
  for (const [name, regex] of patterns) {
    regex.lastIndex = from;
    const match = regex.exec(text);
    if (match && (!best || match.index < best.index)) best = { name, index: match.index, match };
  }
  return best;
}

function toMatch(match: RegExpExecArray, index: number): Match {
  const end = index < 0 ? -1 : index + match[0].length;
  return { index, end, text: match[0], captures: match.slice(1), groups: { ...match.groups } };
}

function lineAround(text: string, index: number): string {
  const start = text.lastIndexOf('\n', index) + 1;
  const end = text.indexOf('\n', index);
  return text.slice(start, end === -1 ? undefined : end).trim();
}
