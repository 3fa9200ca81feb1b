// The result model: what a run records about each test and boot, and the results that reports are views of.
import type { FirmwarePersistence } from '../config/vm-config.ts';
import type { KnownFailure } from '../config/known-failures.ts';

export type TestStatus = 'passed' | 'failed' | 'flaky' | 'skipped';

export interface Phases {
  firmwareMs?: number;
  loaderMs?: number;
  kernelMs?: number;
  userlandMs?: number;
}

/** Each independent source's word on which root booted; a boot whose witnesses disagree fails. */
export interface BootWitnesses {
  /** The device the loader's booting line names. */
  loader?: string;
  /** The root in the kernel's mount table (e.g. /dev/vda6) and the device its partition is, by the profile's partitions. */
  kernelRoot?: { source: string; device?: string };
  /** The device the booted image reports for itself (the profile's identify). */
  image?: string;
  /**
   * Where the profile's upgrade writes a .fs verbatim: the sha256 of the booted root partition, read on the host from
   * the machine's disk, and the .fs of the version the image reports, which must have the same.
   */
  fs?: { device: string; sha256: string; file: string; fileSha256: string };
}

/** One boot of the machine: how it was asked for, what came up, how long each phase took. */
export interface BootRecord {
  requestedDevice?: string;
  /** The device the witnesses agree on. */
  device?: string;
  witnesses?: BootWitnesses;
  version?: string;
  bootId?: string;
  /** How the boot began: a power-on (QEMU started) or a reboot of the running machine. */
  start?: 'power-on' | 'reboot';
  /**
   * Boot commands the harness typed at the firmware prompt in this boot, and what the firmware keeps of
   * them (`none`: typed at every boot; `reset`: at every power-on; `nvram`: once per machine).
   */
  firmware?: { typed: string[]; persistence: FirmwarePersistence };
  phases: Phases;
  /** Not a boot: the machine resumed a checkpoint (named by its folder's last part), which took `ms`. */
  restored?: { checkpoint: string; ms: number };
}

/** The shared starting state a test began in (vm.startFrom), and where it came from. */
export interface StartedFrom {
  /** The state's name, as the scenario asked for it. */
  state: string;
  /**
   * `restored`: the test resumed the run's shared checkpoint of the state, which `builtBy` saved; `built`: the test
   * booted to the state and saved it for the later tests; `booted`: it booted to the state and shares none (`note` says why).
   */
  how: 'restored' | 'built' | 'booted';
  /** The title of the test that built the shared checkpoint (this test's own when it built it). */
  builtBy?: string;
  /** Why the test booted instead of restoring, or why its checkpoint was not kept. */
  note?: string;
  /** The state it was built on, for a state that starts from another (e.g. `upgraded` from `shell`). */
  base?: StartedFrom;
}

export interface StepRecord {
  name: string;
  durationMs: number;
  ok: boolean;
}

/** One test's result, appended to the run folder's records.jsonl as it finishes. */
export interface TestRecord {
  scenario: string;
  machine: string;
  title: string;
  /** 1 (or absent) for the first run of the test, 2 for its first retry, and so on. */
  attempt?: number;
  image: { path: string; sha256: string };
  status: TestStatus;
  startedAt: string;
  durationMs: number;
  /** Phases of the first boot; every boot is in `boots`. */
  phases: Phases;
  boots: BootRecord[];
  steps: StepRecord[];
  accel: string;
  error?: { kind: string; message: string };
  skipReason?: string;
  /** Extra results of the scenario, e.g. `crashStates`: the table of crash states checked. */
  data?: Record<string, unknown>;
  /** The shared starting state the test began in, when it asked for one (vm.startFrom). */
  startedFrom?: StartedFrom;
  /** A failed test's VM kept paused at the failure (run --keep-on-failure): its checkpoint and the command resuming it. */
  kept?: { checkpoint: string; attach: string };
  /** Paths relative to the run folder. */
  artifacts: { transcript?: string; cast?: string; qemuStderr?: string; launches?: string; bootServerLog?: string };
}

/** One row of the crash-state table that the crash-states scenario attaches to its record. */
export interface CrashStateRow {
  state: string;
  /** prefix (the disk as of a flush), single-drop, subset or torn (see crashStates). */
  kind: 'prefix' | 'single-drop' | 'subset' | 'torn';
  /** The last upgrade phase the guest marked before this state's last write. */
  phase: string;
  /** The last log entry applied. */
  entry: number;
  /** Log entries left out (dropped unflushed writes). */
  skipped: number[];
  /** A torn state: the entry applied only in part, and how many of its sectors. */
  torn?: { entry: number; sectors: number };
  /** Whether the crash may have come after the upgrade printed its success line (then only the new version is right). */
  afterSuccess: boolean;
  /** The number (1-based row) of the earlier state with the same boot-deciding content, whose boot this one shares. */
  sameAs?: number;
  /**
   * The booted state whose run read or wrote nothing that this state holds otherwise, so this one boots as it did
   * and is judged by it (its root still checked whole on the host); set only where `sameAs` is not.
   */
  readsAs?: number;
  /** `not booted`: the CI slice stopped booting after an earlier state failed. */
  outcome: 'booted v1' | 'booted v2' | 'failed' | 'not booted';
  reason?: string;
}

/** An entry of the known-failures file (its schema is in config/known-failures.ts). */
export type { KnownFailure };

/** What a test's failure was matched to. */
export interface KnownFailureMark {
  reason: string;
  expires: string;
}

/** Entries that need a person's attention, shown in the report. */
export interface KnownFailureReview {
  /** Entries past their expiry whose test failed: counted as failures. */
  expired: (KnownFailure & { title: string })[];
  /** Entries whose test passed: the entry can go. */
  nowPassing: (KnownFailure & { title: string })[];
}

/** A test's result with its retries and repetitions folded in. */
export interface FinalTest extends TestRecord {
  /** Set when the test failed as an unexpired known-failures entry expects: reported apart from new failures. */
  knownFailure?: KnownFailureMark;
  /** Earlier attempts of the same test, oldest first. */
  earlierAttempts?: { attempt: number; status: TestRecord['status']; error?: TestRecord['error']; artifacts: TestRecord['artifacts'] }[];
}

/** The run folder's identity: when it started, where, with which accelerator, and whether it finished. */
export interface RunInfo {
  id: string;
  startedAt: string;
  finishedAt?: string;
  complete: boolean;
  accel: string;
  accelReason?: string;
  host: string;
  command: string;
  /** The profile the run's tests ran through (absent in runs written before it was recorded: fixture). */
  profile?: string;
  /** The known-failures file the run was given, with its entries as they were then. */
  knownFailures?: { file: string; entries: KnownFailure[] };
  /** For a report merged from shards: the shards' run folders. */
  mergedFrom?: string[];
}

/** What run.json holds: the run as it started. Whether it finished is the report's to say (results.json). */
export type RunStart = Omit<RunInfo, 'complete' | 'finishedAt'>;

export interface Results {
  run: RunInfo;
  /**
   * `infrastructure`: tests that could not run because the host lacks something (QEMU, firmware, disk space);
   * `knownFailures`: failures an unexpired known-failures entry expects. Neither is in `failed`.
   */
  summary: { passed: number; failed: number; flaky: number; skipped: number; infrastructure: number; knownFailures: number; total: number };
  tests: FinalTest[];
  /** Known-failures entries to look at: expired while still failing, or no longer failing. */
  knownFailureReview?: KnownFailureReview;
}
