// Deadlines: every wait is bounded, and one factor scales all time limits for slow accelerators.

export type Accel = 'kvm' | 'tcg';

/** How much longer than under KVM each wait may take under an accelerator. */
const timeFactors: Record<Accel, number> = { kvm: 1, tcg: 3 };

/** Every time limit is a base (as under KVM) that is scaled here for the accelerator, and nowhere else. */
export class TimeScale {
  readonly factor: number;

  constructor(readonly accel: Accel) {
    this.factor = timeFactors[accel];
  }

  ms(base: number): number {
    return base * this.factor;
  }

  deadline(base: number): Deadline {
    return new Deadline(this.ms(base));
  }
}

/** A point in time that several waits share. */
export class Deadline {
  readonly at: number;

  constructor(ms: number) {
    this.at = Date.now() + ms;
  }

  remainingMs(): number {
    return Math.max(0, this.at - Date.now());
  }

  expired(): boolean {
    return Date.now() >= this.at;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
