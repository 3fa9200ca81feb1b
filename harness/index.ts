// The public API that scenarios import.
export { scenario } from './scenario/scenario.ts';
export type { TestMachine } from './scenario/test-machine.ts';
export type { ScenarioMeta } from './scenario/selection.ts';
export * from './errors.ts';
