// A collected test as collect.ts reports it, for tests of what the runner does with a collection.
import type { Collection } from '../collect.ts';

export const collectedTest = (file: string, scenario: string, machine: string, skip?: string, timeoutMinutes = 10): Collection['tests'][number] => ({
  file, scenario, machine, title: `${scenario} on ${machine}`, timeoutMinutes, ...(skip ? { skip } : {}),
});
