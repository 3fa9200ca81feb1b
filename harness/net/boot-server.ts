// A VM's boot server: one private folder served over TFTP (by QEMU's user network) and HTTP (here), every request logged.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createReadStream } from 'node:fs';
import { appendFile, copyFile, mkdir, readdir, readFile, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { readPcap, type CapturedFrame } from './pcap.ts';
import { formatTftpEvent, tftpEvents, tftpTransfers, type TftpEvent } from './tftp-log.ts';

/** The host as the guest sees it on QEMU's user network. */
export const guestHostAddress = '10.0.2.2';

export interface HttpRequestRecord {
  timeMs: number;
  method: string;
  path: string;
  status: number;
  bytes: number;
  /** The request body, when it had one (state changes, uploads), as text. */
  body?: string;
}

/** A download of a served file: an HTTP GET answered 200, or a TFTP read the server did not refuse. */
export interface FileFetch {
  protocol: 'http' | 'tftp';
  timeMs: number;
  /** The bytes sent (TFTP: each block once). */
  bytes: number;
}

/** Answers requests under a path prefix instead of the folder; returns the status and body to send. */
export type RouteHandler = (request: { method: string; path: string; body: string }) => { status: number; body: string; type?: string };

export class BootServer {
  readonly requests: HttpRequestRecord[] = [];
  private readonly routes: { prefix: string; handler: RouteHandler }[] = [];
  private readonly captures: string[] = [];
  private closed: Promise<void> | undefined;

  private constructor(
    /** The folder served over TFTP and HTTP. */
    readonly folder: string,
    /** Every request, one line each, in the test's artefacts. */
    readonly logFile: string,
    private readonly server: Server,
  ) {}

  /** Starts the HTTP server on 127.0.0.1 (a free port) over `folder`, logging into `logFile`. */
  static async start(folder: string, logFile: string): Promise<BootServer> {
    await mkdir(folder, { recursive: true });
    await mkdir(dirname(logFile), { recursive: true });
    await appendFile(logFile, '');
    let self: BootServer | undefined;
    const server = createServer((request, response) => void self?.answer(request, response));
    self = new BootServer(folder, logFile, server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return self;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The URL of `path` as the guest reaches it (QEMU's user network forwards 10.0.2.2 to the host's loopback). */
  guestUrl(path: string): string {
    return `http://${guestHostAddress}:${this.port}/${path.replace(/^\/+/, '')}`;
  }

  /**
   * Serves the folder `dir` as it is (e.g. a distribution's netboot tree), over TFTP and HTTP, by links to its
   * entries: nothing is copied, and nothing in `dir` is ever written (put() replaces a link, never writes through it).
   */
  async serveFolder(dir: string): Promise<void> {
    for (const name of await readdir(dir)) await symlink(join(dir, name), join(this.folder, name));
  }

  /** Puts a file in the served folder: a copy of a host file, or the given bytes. */
  async put(name: string, content: { file: string } | string | Uint8Array): Promise<string> {
    const target = this.resolve(name);
    if (!target) throw new Error(`boot server: "${name}" is not a path inside the served folder`);
    await mkdir(dirname(target), { recursive: true });
    if (!(await realpath(dirname(target))).startsWith(await realpath(this.folder))) {
      throw new Error(`boot server: "${name}" is inside a folder served as it is (--netboot), which is never written`);
    }
    await rm(target, { force: true });
    if (typeof content === 'object' && 'file' in content) await copyFile(content.file, target);
    else await writeFile(target, content);
    return target;
  }

  /** Serves requests under `prefix` (e.g. "/metadata") by `handler` rather than from the folder. */
  route(prefix: string, handler: RouteHandler): void {
    this.routes.push({ prefix, handler });
  }

  /** A new capture file for the NIC's traffic (one per QEMU start), read for the TFTP log. */
  newCapture(workDir: string): string {
    const file = join(workDir, `net-${this.captures.length + 1}.pcap`);
    this.captures.push(file);
    return file;
  }

  /** The TFTP requests and errors seen so far in every capture. */
  async tftpEvents(): Promise<TftpEvent[]> {
    return (await this.capturedFrames()).flatMap((frames) => tftpEvents(frames));
  }

  /** Every download of the served file `name` so far, over HTTP or TFTP, in time order. */
  async fetches(name: string): Promise<FileFetch[]> {
    const path = `/${name.replace(/^\/+/, '')}`;
    const http = this.requests
      .filter((r) => r.method === 'GET' && r.path === path && r.status === 200)
      .map((r): FileFetch => ({ protocol: 'http', timeMs: r.timeMs, bytes: r.bytes }));
    const tftp = (await this.capturedFrames())
      .flatMap((frames) => tftpTransfers(frames))
      .filter((transfer) => transfer.error === undefined && `/${transfer.file.replace(/^\/+/, '')}` === path)
      .map((transfer): FileFetch => ({ protocol: 'tftp', timeMs: transfer.timeMs, bytes: transfer.bytes }));
    return [...http, ...tftp].sort((a, b) => a.timeMs - b.timeMs);
  }

  /** The frames of each capture so far (one per QEMU start). */
  private async capturedFrames(): Promise<CapturedFrame[][]> {
    const captures: CapturedFrame[][] = [];
    for (const file of this.captures) captures.push(readPcap(await readFile(file).catch(() => Buffer.alloc(0)), file));
    return captures;
  }

  /** Stops serving and rewrites the log with the HTTP and TFTP requests in time order. */
  close(): Promise<void> {
    this.closed ??= this.closeOnce();
    return this.closed;
  }

  private async closeOnce(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    let problem = '';
    const events = await this.tftpEvents().catch((error: Error) => {
      problem = `tftp requests unknown: ${error.message}\n`;
      return [];
    });
    const lines = [
      ...this.requests.map((r) => ({ timeMs: r.timeMs, line: formatHttpRequest(r) })),
      ...events.map((e) => ({ timeMs: e.timeMs, line: formatTftpEvent(e) })),
    ].sort((a, b) => a.timeMs - b.timeMs);
    await writeFile(this.logFile, lines.map((l) => `${l.line}\n`).join('') + problem);
  }

  private resolve(name: string): string | undefined {
    const relative = normalize(decodeURIComponent(name)).replace(/^(\.\.(\/|$))+/, '').replace(/^\/+/, '');
    const target = join(this.folder, relative);
    return target.startsWith(this.folder + sep) ? target : undefined;
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const body = await readBody(request);
    const record: HttpRequestRecord = { timeMs: Date.now(), method, path, status: 0, bytes: 0, ...(body ? { body } : {}) };
    try {
      const route = this.routes.find((r) => path === r.prefix || path.startsWith(`${r.prefix}/`));
      if (route) {
        const answer = route.handler({ method, path, body });
        record.status = answer.status;
        record.bytes = Buffer.byteLength(answer.body);
        response.writeHead(answer.status, { 'content-type': answer.type ?? 'application/json', 'content-length': record.bytes });
        response.end(answer.body);
      } else {
        await this.serveFile(method, path, record, response);
      }
    } catch (error) {
      record.status = 500;
      response.writeHead(500).end(String((error as Error).message));
    }
    this.requests.push(record);
    await appendFile(this.logFile, `${formatHttpRequest(record)}\n`);
  }

  private async serveFile(method: string, path: string, record: HttpRequestRecord, response: ServerResponse): Promise<void> {
    const file = this.resolve(path);
    const info = file ? await stat(file).catch(() => undefined) : undefined;
    if (method !== 'GET' && method !== 'HEAD') {
      record.status = 405;
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (!file || !info?.isFile()) {
      record.status = 404;
      response.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}\n`);
    } else {
      record.status = 200;
      record.bytes = method === 'HEAD' ? 0 : info.size;
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': info.size });
      if (method === 'HEAD') {
        response.end();
        return;
      }
      await new Promise<void>((resolve, reject) => {
        const stream = createReadStream(file);
        stream.once('error', reject);
        response.once('close', () => resolve());
        stream.pipe(response);
      });
      if (!response.writableFinished) record.status = 499;
    }
  }
}

/** One line per HTTP request, for the test's artefacts. */
export function formatHttpRequest(record: HttpRequestRecord): string {
  const time = new Date(record.timeMs).toISOString();
  const body = record.body === undefined ? '' : ` body ${JSON.stringify(record.body.slice(0, 400))}`;
  return `${time} http ${record.method} ${record.path} -> ${record.status} (${record.bytes} bytes)${body}`;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
