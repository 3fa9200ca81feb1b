// Which machines a scenario runs on in this run: its requirements, the run's machine filter and slice.
import { loadVmConfig, machineNames, type Depth, type VmConfig } from '../config/vm-config.ts';

export interface ScenarioMeta {
  name: string;
  description: string;
  /** The depth a machine must reach: 'full' needs a shell, 'loader' only the loader prompt. */
  depth: Depth;
  /** The machines of the CI slice (npm test); the nightly runs every machine that qualifies. */
  ci: string[];
  timeoutMinutes: number;
  tags?: string[];
  /**
   * Broken fixture variants this scenario must catch: each adds a test, on the CI machines, that
   * runs the scenario on that variant and passes only if the scenario fails with `failure`.
   */
  detects?: { variant: string; failure: RegExp }[];
}

export interface RunSelection {
  machines?: string[];
  slice: 'ci' | 'full';
}

export function selectionFromEnv(env = process.env): RunSelection {
  const machines = env.BOOTPROOF_MACHINES?.split(',').map((m) => m.trim()).filter(Boolean);
  return { machines: machines?.length ? machines : undefined, slice: env.BOOTPROOF_SLICE === 'ci' ? 'ci' : 'full' };
}

/** A full-depth scenario needs a full machine; a loader-depth scenario runs anywhere. */
export function qualifies(meta: ScenarioMeta, config: VmConfig): boolean {
  return meta.depth === 'loader' || config.depth === 'full';
}

export function machinesFor(meta: ScenarioMeta, selection: RunSelection): VmConfig[] {
  return machineNames()
    .filter((name) => !selection.machines || selection.machines.includes(name))
    .filter((name) => selection.slice === 'full' || meta.ci.includes(name))
    .map((name) => loadVmConfig(name))
    .filter((config) => qualifies(meta, config));
}
