// The known-failures file's schema: failures a team expects (scenario, machine, reason, expiry), reported apart.
import { z } from 'zod';
import { patternSource, schemaKey, section, text } from './schema-parts.ts';

function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

const knownFailureSchema = section({
  scenario: text().describe('The scenario name'),
  machine: text().describe('A machine name, or "*" for every machine'),
  reason: text().describe('Why the failure is expected, shown in the report'),
  expires: text()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'expected a date as YYYY-MM-DD' })
    .refine(isCalendarDate, { error: 'expected a date as YYYY-MM-DD' })
    .describe('YYYY-MM-DD: from the day after, the failure counts as a failure again'),
  failure: patternSource()
    .optional()
    .describe("Source of a regular expression: only failures whose message matches are expected; absent, any failure is"),
});
export type KnownFailure = z.output<typeof knownFailureSchema>;

/** known-failures.json, as written. */
export const knownFailuresSchema = section({
  $schema: schemaKey,
  knownFailures: z.array(knownFailureSchema, { error: 'expected an array of objects' }).default(() => []),
});
