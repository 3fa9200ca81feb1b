// Runs the CLI in this process with an argv array, capturing what it prints.
import { cli } from '../main.ts';

export interface Outcome {
  code: number;
  out: string;
  err: string;
}

/** Only for serial tests: console.log and console.error are replaced while the command runs. */
export async function bootproof(...argv: string[]): Promise<Outcome> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...args: unknown[]) => out.push(args.join(' '));
  console.error = (...args: unknown[]) => err.push(args.join(' '));
  try {
    return { code: await cli(argv), out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}
