// Makes sure no QEMU process group outlives this Node process: exit, SIGINT, SIGTERM, or a dead owner.

const groups = new Set<number>();
let installed = false;

/** Registers a process group to be killed if this process ends first. */
export function track(pgid: number): void {
  install();
  groups.add(pgid);
}

export function untrack(pgid: number): void {
  groups.delete(pgid);
}

/** SIGKILLs every tracked group at once; safe to call from an exit handler. */
export function killAll(): void {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  groups.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal);
    });
  }
  watchOwner();
}

/**
 * A runner that starts test workers names itself in BOOTPROOF_OWNER_PID. If it dies, even by
 * SIGKILL, the worker cuts power to its machines and exits (a pty hangup covers the worker itself).
 */
function watchOwner(): void {
  const owner = Number(process.env.BOOTPROOF_OWNER_PID);
  if (!Number.isInteger(owner) || owner <= 0) return;
  setInterval(() => {
    try {
      process.kill(owner, 0);
    } catch {
      killAll();
      process.exit(1);
    }
  }, 500).unref();
}
