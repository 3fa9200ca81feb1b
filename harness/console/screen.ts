// The screen view: what a person would see on an 80x25 terminal, rendered by @xterm/headless.
import xterm from '@xterm/headless';

const { Terminal } = xterm;

export class Screen {
  private readonly term;

  constructor(readonly cols = 80, readonly rows = 25) {
    this.term = new Terminal({ cols, rows, scrollback: 1000, allowProposedApi: true });
  }

  /** Parses `data`; `parsed` runs once the rendered buffer includes it. */
  write(data: string, parsed?: () => void): void {
    this.term.write(data, parsed);
  }

  /** The visible rows, trailing blanks trimmed. */
  text(): string {
    const buffer = this.term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < this.rows; y++) {
      lines.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
    }
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return lines.join('\n');
  }

  /** Replies the terminal would send back (cursor position reports and the like). */
  onReply(listener: (data: string) => void): void {
    this.term.onData(listener);
  }

  dispose(): void {
    this.term.dispose();
  }
}
