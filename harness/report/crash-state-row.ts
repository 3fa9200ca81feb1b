// One row of the crash-state table that the crash-states scenario attaches to its record.

export interface CrashStateRow {
  state: string;
  /** The last upgrade phase the guest marked before this state's last write. */
  phase: string;
  /** The last log entry applied. */
  entry: number;
  /** Log entries left out (dropped unflushed writes). */
  skipped: number[];
  outcome: 'booted v1' | 'booted v2' | 'failed';
  reason?: string;
}
