// A QMP client: replies matched by id, events buffered, every pending command rejected when the socket closes.
import { createConnection, type Socket } from 'node:net';
import { QmpError, WaitTimeout } from '../errors.ts';
import { Deadline, sleep } from '../deadline.ts';

export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
  timestamp?: { seconds: number; microseconds: number };
}

interface EventWaiter {
  name: string;
  match: Record<string, unknown>;
  resolve: (event: QmpEvent) => void;
  reject: (error: Error) => void;
}

interface Pending {
  command: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export class QmpClient {
  private nextId = 1;
  private buffer = '';
  private readonly pending = new Map<number, Pending>();
  private readonly events: QmpEvent[] = [];
  private eventWaiters: EventWaiter[] = [];
  private closed = false;
  private greetingResolve?: () => void;
  private greetingReject?: (error: Error) => void;
  private readonly greeted = new Promise<void>((resolve, reject) => {
    this.greetingResolve = resolve;
    this.greetingReject = reject;
  });

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('close', () => this.close());
    socket.on('error', () => this.close());
    this.greeted.catch(() => undefined);
  }

  /** Connects (retrying while QEMU creates the socket), reads the greeting, negotiates capabilities. */
  static async connect(path: string, timeoutMs = 10_000): Promise<QmpClient> {
    const deadline = new Deadline(timeoutMs);
    for (;;) {
      try {
        const socket = await openSocket(path);
        const client = new QmpClient(socket);
        await client.greeting();
        await client.execute('qmp_capabilities');
        return client;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if ((code !== 'ENOENT' && code !== 'ECONNREFUSED') || deadline.expired()) {
          throw new QmpError('connect', code ?? 'Error', `${path}: ${(error as Error).message}`);
        }
        await sleep(20);
      }
    }
  }

  /** Runs one command and resolves with its `return` value. */
  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    if (this.closed) return Promise.reject(new QmpError(command, 'Disconnected', 'the QMP connection is closed'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { command, resolve: resolve as (v: unknown) => void, reject });
      this.socket.write(JSON.stringify({ execute: command, arguments: args, id }) + '\n');
    });
  }

  /**
   * Resolves with the first event of that name whose data contains `match`, including ones already received;
   * rejects after `timeoutMs`, or when the connection closes first.
   */
  waitForEvent(name: string, match: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<QmpEvent> {
    const index = this.events.findIndex((e) => matches(e, name, match));
    if (index >= 0) return Promise.resolve(this.events.splice(index, 1)[0]!);
    if (this.closed) return Promise.reject(new QmpError(`wait for ${name}`, 'Disconnected', 'the QMP connection is closed'));
    return new Promise((resolve, reject) => {
      const waiter: EventWaiter = {
        name,
        match,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.eventWaiters = this.eventWaiters.filter((w) => w !== waiter);
        const seen = this.events.map((e) => e.event).join(', ') || 'none';
        reject(new WaitTimeout(`the QMP event ${name} ${JSON.stringify(match)}`, timeoutMs, `events received and not awaited: ${seen}`));
      }, timeoutMs);
      this.eventWaiters.push(waiter);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.greetingReject?.(Object.assign(new Error('closed before the greeting'), { code: 'ECONNREFUSED' }));
    for (const [, p] of this.pending) p.reject(new QmpError(p.command, 'Disconnected', 'QEMU closed the QMP connection'));
    this.pending.clear();
    for (const w of this.eventWaiters) w.reject(new QmpError(`wait for ${w.name}`, 'Disconnected', 'QEMU closed the QMP connection'));
    this.eventWaiters = [];
  }

  private greeting(): Promise<void> {
    return this.greeted;
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (line) this.dispatch(JSON.parse(line));
    }
  }

  private dispatch(message: Record<string, unknown>): void {
    if ('QMP' in message) {
      this.greetingResolve?.();
      return;
    }
    if ('event' in message) {
      const event = message as unknown as QmpEvent;
      const waiter = this.eventWaiters.find((w) => matches(event, w.name, w.match));
      if (waiter) {
        this.eventWaiters = this.eventWaiters.filter((w) => w !== waiter);
        waiter.resolve(event);
      } else {
        this.events.push(event);
      }
      return;
    }
    const pending = this.pending.get(message.id as number);
    if (!pending) return;
    this.pending.delete(message.id as number);
    if ('error' in message) {
      const error = message.error as { class: string; desc: string };
      pending.reject(new QmpError(pending.command, error.class, error.desc));
    } else {
      pending.resolve(message.return);
    }
  }
}

function matches(event: QmpEvent, name: string, match: Record<string, unknown>): boolean {
  return event.event === name && Object.entries(match).every(([k, v]) => event.data?.[k] === v);
}

function openSocket(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}
