// The scenario families: one scenarios/<name>.test.ts file each.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.ts';

export const scenarioDir = fileURLToPath(new URL('../../scenarios/', import.meta.url));

export function scenarioNames(): string[] {
  return readdirSync(scenarioDir)
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -'.test.ts'.length))
    .sort();
}

export function scenarioFile(name: string): string {
  const file = join(scenarioDir, `${name}.test.ts`);
  if (!existsSync(file)) throw new UsageError(`unknown scenario "${name}": choose one of ${scenarioNames().join(', ')}`);
  return file;
}
