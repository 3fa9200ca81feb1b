// Turns what failed a test into the kind and message its record shows.

export interface ErrorSummary {
  kind: string;
  message: string;
}

/**
 * An error the scenario threw (ava wraps it as "Rejected promise returned by test") speaks for
 * itself; a failed assertion gives its message and ava's formatted values.
 */
export function describeError(error: unknown): ErrorSummary {
  if (!(error instanceof Error)) return { kind: 'Error', message: String(error) };
  if (error.name === 'AssertionError' && error.cause instanceof Error && error.message.startsWith('Rejected promise')) {
    return describeError(error.cause);
  }
  if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return { kind: 'InfrastructureError', message: `the host's disk is full: ${error.message}` };
  const details = (error as { formattedDetails?: { label?: string; formatted: string }[] }).formattedDetails ?? [];
  const shown = details.map((d) => `${d.label ?? ''}\n${d.formatted}`.trim());
  return { kind: error.name, message: [error.message, ...shown].join('\n') };
}
