// Small validators for JSON config files: each error quotes the file, the key and the bad value.
import { UsageError } from '../errors.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Reads fields of one JSON object and reports mistakes with the file and key path. */
export class ObjectReader {
  private readonly seen = new Set<string>();

  constructor(
    readonly file: string,
    readonly path: string,
    private readonly value: Record<string, Json>,
  ) {}

  static root(file: string, value: unknown): ObjectReader {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new UsageError(`${file}: expected a JSON object at the top level, got ${describe(value)}`);
    }
    return new ObjectReader(file, '', value as Record<string, Json>);
  }

  private where(key: string): string {
    return `${this.file}: ${this.path}${key}`;
  }

  private get(key: string): Json | undefined {
    this.seen.add(key);
    return this.value[key];
  }

  string(key: string): string;
  string(key: string, fallback: string): string;
  string(key: string, fallback: undefined): string | undefined;
  string(key: string, ...fallback: [string?]): string | undefined {
    const v = this.get(key);
    if (v === undefined && fallback.length > 0) return fallback[0];
    if (typeof v !== 'string' || v === '') throw new UsageError(`${this.where(key)}: expected a non-empty string, got ${describe(v)}`);
    return v;
  }

  number(key: string, fallback?: number): number {
    const v = this.get(key);
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new UsageError(`${this.where(key)}: expected a non-negative number, got ${describe(v)}`);
    }
    return v;
  }

  optionalNumber(key: string): number | undefined {
    return this.value[key] === undefined ? (this.seen.add(key), undefined) : this.number(key);
  }

  boolean(key: string, fallback: boolean): boolean {
    const v = this.get(key);
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') throw new UsageError(`${this.where(key)}: expected true or false, got ${describe(v)}`);
    return v;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback?: T): T {
    const v = this.get(key);
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'string' || !allowed.includes(v as T)) {
      throw new UsageError(`${this.where(key)}: expected one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${describe(v)}`);
    }
    return v as T;
  }

  strings(key: string, fallback?: string[]): string[] {
    const v = this.get(key);
    if (v === undefined && fallback !== undefined) return fallback;
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
      throw new UsageError(`${this.where(key)}: expected an array of strings, got ${describe(v)}`);
    }
    return v as string[];
  }

  regex(key: string): RegExp;
  regex(key: string, optional: 'optional'): RegExp | undefined;
  regex(key: string, optional?: 'optional'): RegExp | undefined {
    const source = optional ? this.string(key, undefined) : this.string(key);
    if (source === undefined) return undefined;
    try {
      return new RegExp(source, 'm');
    } catch (error) {
      throw new UsageError(`${this.where(key)}: not a valid regular expression: ${(error as Error).message}`);
    }
  }

  object(key: string): ObjectReader;
  object(key: string, optional: 'optional'): ObjectReader | undefined;
  object(key: string, optional?: 'optional'): ObjectReader | undefined {
    const v = this.get(key);
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      throw new UsageError(`${this.where(key)}: expected an object, got ${describe(v)}`);
    }
    return new ObjectReader(this.file, `${this.path}${key}.`, v);
  }

  objects(key: string): ObjectReader[] {
    const v = this.get(key) ?? [];
    if (!Array.isArray(v)) throw new UsageError(`${this.where(key)}: expected an array of objects, got ${describe(v)}`);
    return v.map((item, i) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        throw new UsageError(`${this.where(`${key}[${i}]`)}: expected an object, got ${describe(item)}`);
      }
      return new ObjectReader(this.file, `${this.path}${key}[${i}].`, item);
    });
  }

  /** Whether the object has `key` (it is not marked as read). */
  has(key: string): boolean {
    return this.value[key] !== undefined;
  }

  keys(): string[] {
    return Object.keys(this.value);
  }

  /** Fails on keys nobody read: a typo must not be ignored silently. */
  done(): void {
    const unknown = Object.keys(this.value).filter((k) => !this.seen.has(k));
    if (unknown.length > 0) {
      throw new UsageError(`${this.file}: unknown key ${unknown.map((k) => `"${this.path}${k}"`).join(', ')} (check the spelling)`);
    }
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the key is missing)';
  const text = JSON.stringify(value);
  const shown = text.length > 60 ? text.slice(0, 57) + '...' : text;
  return `${shown} (${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value})`;
}
