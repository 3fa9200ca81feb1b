// Errors the harness raises: one short line first, evidence after, the original in `cause`.

export class BootproofError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad input from the user (unknown machine, missing image, bad config): exit code 2. */
export class UsageError extends BootproofError {}

/** The host lacks something the run needs (QEMU, firmware, disk space): not a test failure. */
export class InfrastructureError extends BootproofError {}

/** A wait ran out of time. */
export class WaitTimeout extends BootproofError {
  constructor(
    readonly awaited: string,
    readonly timeoutMs: number,
    readonly evidence: string,
  ) {
    super(`timed out after ${(timeoutMs / 1000).toFixed(1)} s waiting for ${awaited}\n${evidence}`);
  }
}

/** A fail-fast pattern appeared on the console while something else was awaited. */
export class FailFast extends BootproofError {
  constructor(
    readonly description: string,
    readonly line: string,
    readonly awaited: string,
    readonly evidence: string,
  ) {
    super(`${description} while waiting for ${awaited}: ${line}\n${evidence}`);
  }
}

/** QEMU ended while the harness still needed it. */
export class QemuExited extends BootproofError {
  constructor(
    readonly exitCode: number,
    readonly signal: number | undefined,
    readonly awaited: string,
    readonly evidence: string,
  ) {
    super(`QEMU exited (code ${exitCode}${signal ? `, signal ${signal}` : ''}) while waiting for ${awaited}\n${evidence}`);
  }
}

/** QMP answered a command with an error, or the connection broke. */
export class QmpError extends BootproofError {
  constructor(
    readonly command: string,
    readonly errorClass: string,
    description: string,
  ) {
    super(`QMP ${command} failed: ${errorClass}: ${description}`);
  }
}

/** An operation was asked for in a state that does not allow it. */
export class StateError extends BootproofError {
  constructor(operation: string, current: string, required: string) {
    super(`cannot ${operation} in state '${current}' (needs '${required}')`);
  }
}

/** A shell command in the guest did not end as the test required. */
export class CommandFailed extends BootproofError {
  constructor(
    readonly command: string,
    readonly exitStatus: number,
    readonly output: string,
  ) {
    super(`command \`${command}\` ${exitStatus === 0 ? 'unexpectedly succeeded' : `failed (exit status ${exitStatus})`}\n${output}`);
  }
}
