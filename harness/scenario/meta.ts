// The scenario() declaration checked when its file loads: a scenario file is code, but tsx does not type-check it,
// so a wrong field must fail here with the field and the fix rather than deep inside the selection.
import { z } from 'zod';
import { parseConfig } from '../config/config-file.ts';
import { depths } from '../config/vm-config.ts';
import { count, oneOf, section, text, texts } from '../config/schema-parts.ts';
import type { ScenarioMeta } from './selection.ts';

const regex = () => z.instanceof(RegExp, { error: 'expected a regular expression (/.../)' });

const metaSchema = section({
  name: text(),
  description: text(),
  depth: oneOf(depths),
  ci: texts().describe('the machines of the CI slice'),
  timeoutMinutes: count(),
  tags: texts().optional(),
  detects: z
    .array(section({ variant: text(), failure: regex(), machines: texts().optional() }), { error: 'expected an array of { variant, failure, machines? }' })
    .optional(),
  needs: z.array(oneOf(['loader-prompt', 'write-log', 'firmware-nvram', 'network', 'ab-roots', 'provoked-failures']), { error: 'expected an array of strings' }).optional(),
  extraDisks: count().optional(),
});

/** Throws a UsageError naming the scenario, the field, the value and the fix when `meta` is not a valid declaration. */
export function checkScenarioMeta(meta: ScenarioMeta): void {
  const name = typeof meta?.name === 'string' && meta.name ? `scenario "${meta.name}"` : 'a scenario';
  parseConfig(metaSchema, `${name} (its scenario({ ... }) declaration)`, meta);
}
