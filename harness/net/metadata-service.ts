// A cloud provider's instance metadata service for one VM: serves the instance's metadata (IPv6 address, netmask,
// gateway) as JSON and records the state changes the guest reports (PATCH {"state_detail": "booted"}).
import type { BootServer } from './boot-server.ts';
import { BootproofError } from '../errors.ts';

export interface InstanceMetadata {
  id: string;
  name: string;
  hostname: string;
  ipv6: { address: string; netmask: string; gateway: string };
}

export interface StateChange {
  timeMs: number;
  stateDetail: string;
}

/**
 * The instance's IPv6 address for a 16-bit `suffix`, in fec0::/64 (QEMU's user-network prefix), written as the guest
 * prints it back (RFC 5952: no leading zeros in a group).
 */
export function instanceAddress(suffix: number): string {
  return `fec0::5eed:${suffix.toString(16)}`;
}

/** The path under the boot server: GET it for the metadata, PATCH `${path}/state` to report a state. */
export const metadataPath = '/conf';

export class MetadataService {
  readonly changes: StateChange[] = [];
  private readonly waiters: { state: string; resolve: (change: StateChange) => void }[] = [];

  constructor(
    private readonly server: BootServer,
    readonly metadata: InstanceMetadata,
  ) {
    server.route(metadataPath, (request) => this.answer(request));
  }

  /** The URL the guest is told (on its kernel command line) to fetch its metadata from. */
  get guestUrl(): string {
    return this.server.guestUrl(metadataPath);
  }

  /** Resolves when the guest reports `state` (at once if it did already); rejects after `timeoutMs` with what it did report. */
  async waitForState(state: string, timeoutMs: number): Promise<StateChange> {
    const seen = this.changes.find((c) => c.stateDetail === state);
    if (seen) return seen;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await new Promise<StateChange>((resolve, reject) => {
        this.waiters.push({ state, resolve });
        timer = setTimeout(() => {
          const reported = this.changes.map((c) => `"${c.stateDetail}"`).join(', ') || 'nothing';
          const fetched = this.server.requests.filter((r) => r.path === metadataPath && r.method === 'GET').length;
          reject(
            new BootproofError(
              `the guest never signalled state "${state}" to the metadata service within ${(timeoutMs / 1000).toFixed(1)} s ` +
                `(it reported ${reported}; it fetched its metadata ${fetched} time${fetched === 1 ? '' : 's'})`,
            ),
          );
        }, timeoutMs);
      });
    } finally {
      clearTimeout(timer);
    }
  }

  private answer({ method, path, body }: { method: string; path: string; body: string }) {
    if (path === metadataPath && method === 'GET') {
      const stateDetail = this.changes.at(-1)?.stateDetail ?? 'starting';
      return { status: 200, body: `${JSON.stringify({ ...this.metadata, state_detail: stateDetail })}\n` };
    }
    if (path === `${metadataPath}/state` && method === 'PATCH') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        return problem(400, `the body is not JSON: ${JSON.stringify(body.slice(0, 100))}`);
      }
      const state = (parsed as { state_detail?: unknown } | null)?.state_detail;
      if (typeof state !== 'string' || state === '') return problem(400, 'expected {"state_detail": "<state>"}');
      const change = { timeMs: Date.now(), stateDetail: state };
      this.changes.push(change);
      for (const waiter of this.waiters.filter((w) => w.state === state)) waiter.resolve(change);
      return { status: 200, body: `${JSON.stringify({ state_detail: state })}\n` };
    }
    return problem(path === metadataPath || path === `${metadataPath}/state` ? 405 : 404, `no ${method} ${path} here`);
  }
}

function problem(status: number, message: string) {
  return { status, body: `${JSON.stringify({ error: message })}\n` };
}
