// Reading a JSON file users write against its schema: the first mistake becomes a UsageError naming the file, the key
// path, the value found with its type, and the fix (for an unknown key: the nearest valid name and the valid keys).
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UsageError } from '../errors.ts';

/** Parses the file's text as JSON; `fix` says what to do about broken JSON. */
export function readJsonFile(file: string, what: string, fix = ''): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${file}: cannot read the ${what}: ${(error as Error).message}${fix ? ` (${fix})` : ''}`);
  }
}

/** The file's content as `schema` reads it (defaults filled, patterns compiled), or a UsageError on the first mistake. */
export function parseConfig<S extends z.ZodType>(schema: S, file: string, raw: unknown): z.output<S> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new UsageError(`${file}: expected a JSON object at the top level, got ${describe(raw)}`);
  }
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  // A misspelt key also shows as a missing one: the spelling is the fix to name first.
  const issue = result.error.issues.find((i) => i.code === 'unrecognized_keys') ?? result.error.issues[0]!;
  throw new UsageError(`${file}: ${explain(issue, raw, schema)}`);
}

function explain(issue: z.core.$ZodIssue, raw: unknown, schema: z.ZodType): string {
  if (issue.code === 'unrecognized_keys') return unknownKeys(issue.path, issue.keys, schema);
  const where = issue.path.length > 0 ? `${keyPath(issue.path)}: ` : '';
  const got = issue.message.startsWith('expected') ? `, got ${describe(valueAt(raw, issue.path))}` : '';
  return `${where}${issue.message}${got}`;
}

function unknownKeys(path: PropertyKey[], keys: string[], schema: z.ZodType): string {
  const valid = validKeys(schema, path);
  const list = `the keys${path.length > 0 ? ` of ${keyPath(path)}` : ''} are ${valid.map((k) => `"${k}"`).join(', ')}`;
  const named = (k: string) => `"${keyPath([...path, k])}"`;
  const near = keys.map((k) => nearest(k, valid));
  if (keys.length === 1) return near[0] ? `unknown key ${named(keys[0]!)}: did you mean "${near[0]}"? (${list})` : `unknown key ${named(keys[0]!)} (check the spelling; ${list})`;
  return `unknown keys ${keys.map((k, i) => `${named(k)}${near[i] ? ` (did you mean "${near[i]}"?)` : ''}`).join(', ')}: check the spelling; ${list}`;
}

/** The keys the schema defines for the object at `path` ("$schema" left out: it is not a likely meaning of a typo). */
function validKeys(schema: z.ZodType, path: PropertyKey[]): string[] {
  type Node = { properties?: Record<string, Node>; items?: Node; additionalProperties?: Node | boolean };
  let node: Node | undefined = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Node;
  for (const step of path) {
    if (typeof step === 'number') node = node?.items;
    else node = node?.properties?.[String(step)] ?? (typeof node?.additionalProperties === 'object' ? node.additionalProperties : undefined);
  }
  return Object.keys(node?.properties ?? {}).filter((k) => k !== '$schema');
}

/** The valid key closest to a misspelt one, if it is close enough to be meant. */
function nearest(key: string, valid: string[]): string | undefined {
  const scored = valid.map((v) => ({ v, d: distance(key.toLowerCase(), v.toLowerCase()) })).sort((a, b) => a.d - b.d);
  const best = scored[0];
  return best && best.d <= Math.max(2, Math.floor(key.length / 3)) ? best.v : undefined;
}

function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** `firmware.boot.commands`, `knownFailures[0].expires`. */
function keyPath(path: PropertyKey[]): string {
  return path.map((step, i) => (typeof step === 'number' ? `[${step}]` : `${i > 0 ? '.' : ''}${String(step)}`)).join('');
}

function valueAt(raw: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>((value, step) => (typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[step] : undefined), raw);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the key is missing)';
  const text = JSON.stringify(value);
  const shown = text.length > 60 ? text.slice(0, 57) + '...' : text;
  return `${shown} (${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value})`;
}
