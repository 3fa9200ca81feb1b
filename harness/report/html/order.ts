// The order tests appear in: by scenario (a variant check right under its scenario), then machine, then start.
import type { TestRecord } from '../../results/model.ts';

/** Scenario names in display order: "failover" is followed by "failover:catches-…", then "failover-to-garbage". */
export function scenarioOrder(a: string, b: string): number {
  const [baseA = a, baseB = b] = [a.split(':')[0], b.split(':')[0]];
  return baseA.localeCompare(baseB, 'en') || a.localeCompare(b, 'en');
}

/** The records sorted for display; a record's position in this list is its anchor number. */
export function displayOrder<T extends TestRecord>(tests: T[]): T[] {
  return [...tests].sort(
    (a, b) =>
      scenarioOrder(a.scenario, b.scenario) || a.machine.localeCompare(b.machine, 'en') || a.startedAt.localeCompare(b.startedAt),
  );
}

export const testAnchor = (index: number) => `test-${index}`;
