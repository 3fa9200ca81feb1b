// Option values the commands share: whole numbers, sizes, and the timestamp naming default report folders.
import { UsageError } from '../errors.ts';

export function count(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag}: expected a non-negative whole number, got "${value}"`);
  return n;
}

/** Bytes from "4294967296", "64M", "4G" or "512K" (binary units). */
export function parseSize(option: string, text: string): number {
  const found = /^(\d+)([KMG]?)i?B?$/i.exec(text.trim());
  if (!found) throw new UsageError(`${option}: expected a size like 4294967296, 64M or 4G, got "${text}"`);
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[found[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Number(found[1]) * unit;
}

export function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
}
