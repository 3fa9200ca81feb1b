// The building blocks of the config file schemas (zod): each carries the message a mistake gets. A message starting
// with "expected" is followed by the value found (config-file.ts); any other message is complete as it is.
import { z } from 'zod';
import { keyBytes } from './keys.ts';

/** A non-empty string. */
export const text = () => z.string({ error: 'expected a non-empty string' }).min(1, { error: 'expected a non-empty string' });

/** A finite number from 0. */
export const count = () => z.number({ error: 'expected a non-negative number' }).min(0, { error: 'expected a non-negative number' });

/** A whole number from `min`; `what` names it in the message ("a partition number"). */
export const whole = (min: number, what = 'a whole number') => {
  const error = `expected ${what} from ${min}`;
  return z.number({ error }).int({ error }).min(min, { error });
};

export const flag = () => z.boolean({ error: 'expected true or false' });

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `expected one of ${values.map((v) => `"${v}"`).join(', ')}` });

export const texts = () => z.array(z.string({ error: 'expected a string' }), { error: 'expected an array of strings' });

/** An object that refuses keys it does not define. */
export const section = <S extends z.ZodRawShape>(shape: S) => z.strictObject(shape, { error: 'expected an object' });

function regexError(source: string): string | undefined {
  try {
    new RegExp(source, 'm');
    return undefined;
  } catch (error) {
    return `not a valid regular expression: ${(error as Error).message}`;
  }
}

/** The source of a regular expression, checked and kept as text. */
export const patternSource = () =>
  text().superRefine((source, ctx) => {
    const error = regexError(source);
    if (error) ctx.addIssue({ code: 'custom', message: error });
  });

/** A regular expression (multiline), given as its source. */
export const pattern = () =>
  text().transform((source, ctx) => {
    const error = regexError(source);
    if (error === undefined) return new RegExp(source, 'm');
    ctx.addIssue({ code: 'custom', message: error });
    return z.NEVER;
  });

/** A named key ("escape", "ctrl-b"), read as the bytes it sends. */
export const keyName = () =>
  text().transform((name, ctx) => {
    try {
      return keyBytes(name);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

/** Every file may name its JSON Schema, for editors. */
export const schemaKey = z.string({ error: 'expected the path or URL of the JSON Schema' }).optional().meta({
  description: 'The JSON Schema of this file (for editors), e.g. "./node_modules/bootproof/schemas/<kind>.schema.json"',
});
