// Turns a recorded console (asciicast with input events) into replay steps: each input with the output it followed.
import { AnsiStripper } from '../console/ansi.ts';

export interface ReplayStep {
  /** 1-based, as `--until` counts. */
  number: number;
  /** What the guest printed last before the input was sent (the last non-empty line, at most 60 characters); '' if nothing. */
  after: string;
  input: string;
}

/** The steps of a cast: consecutive input events with no output between them are one step. */
export function replayPlan(cast: string): ReplayStep[] {
  const steps: ReplayStep[] = [];
  const stripper = new AnsiStripper();
  let output = '';
  let pending: ReplayStep | undefined;
  for (const line of cast.split('\n').slice(1)) {
    if (!line.trim()) continue;
    const [, kind, data] = JSON.parse(line) as [number, 'o' | 'i', string];
    if (kind === 'o') {
      output += stripper.push(data);
      if (pending) pending = undefined;
      continue;
    }
    if (pending) {
      pending.input += data;
      continue;
    }
    pending = { number: steps.length + 1, after: lastLine(output), input: data };
    steps.push(pending);
    output = '';
  }
  return steps;
}

function lastLine(text: string): string {
  const line = text.split('\n').reverse().find((l) => l.trim() !== '') ?? '';
  return line.slice(-60);
}
