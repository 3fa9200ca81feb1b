// Records a console session as an asciicast v2 file, batched off the console's hot path.
import { createWriteStream, type WriteStream } from 'node:fs';

export class AsciicastWriter {
  private readonly out: WriteStream;
  private readonly started = performance.now();
  private queue: string[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(path: string, cols: number, rows: number, title: string) {
    this.out = createWriteStream(path);
    const header = { version: 2, width: cols, height: rows, timestamp: Math.floor(Date.now() / 1000), title };
    this.out.write(JSON.stringify(header) + '\n');
  }

  output(data: string): void {
    this.record('o', data);
  }

  input(data: string): void {
    this.record('i', data);
  }

  private record(kind: 'o' | 'i', data: string): void {
    const seconds = (performance.now() - this.started) / 1000;
    this.queue.push(`[${seconds.toFixed(6)}, "${kind}", ${JSON.stringify(data)}]\n`);
    this.timer ??= setTimeout(() => this.flush(), 100);
  }

  private flush(): void {
    this.timer = undefined;
    if (this.queue.length === 0) return;
    this.out.write(this.queue.join(''));
    this.queue = [];
  }

  /** Writes what is queued and closes the file. */
  close(): Promise<void> {
    clearTimeout(this.timer);
    this.flush();
    return new Promise((resolve) => this.out.end(resolve));
  }
}
