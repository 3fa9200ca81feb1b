import test from 'ava';
import { UsageError } from '../errors.ts';
import { count, parseSize, timestamp } from './shared.ts';
import { crashStateSettings } from './crash-states.ts';

test('count takes whole non-negative numbers and names the option otherwise', (t) => {
  t.is(count('--retries', undefined, 1), 1);
  t.is(count('--retries', '0', 1), 0);
  t.throws(() => count('--retries', '1.5', 1), { instanceOf: UsageError, message: '--retries: expected a non-negative whole number, got "1.5"' });
  t.throws(() => count('--jobs', '-1', 1), { instanceOf: UsageError });
});

test('parseSize reads bytes and binary units', (t) => {
  t.is(parseSize('--target-size', '4294967296'), 4294967296);
  t.is(parseSize('--target-size', '64M'), 64 * 2 ** 20);
  t.is(parseSize('--target-size', '4GiB'), 4 * 2 ** 30);
  t.throws(() => parseSize('--target-size', '4T'), { instanceOf: UsageError, message: '--target-size: expected a size like 4294967296, 64M or 4G, got "4T"' });
});

test('timestamp names a folder: date and time, no separators that need quoting', (t) => {
  t.regex(timestamp(), /^\d{8}-\d{6}$/);
});

test('the crash-state options become the scenario settings', (t) => {
  t.deepEqual(crashStateSettings({}), { BOOTPROOF_MAX_STATES: '400' });
  t.deepEqual(crashStateSettings({ 'max-states': '3', subsets: '5', seed: '42' }), { BOOTPROOF_MAX_STATES: '3', BOOTPROOF_SUBSETS: '5', BOOTPROOF_SEED: '42' });
  t.throws(() => crashStateSettings({ seed: 'x' }), { message: /--seed: expected a non-negative whole number, got "x"/ });
  t.deepEqual(crashStateSettings({ 'state-jobs': '2' }), { BOOTPROOF_MAX_STATES: '400', BOOTPROOF_STATE_JOBS: '2' });
  t.throws(() => crashStateSettings({ 'state-jobs': '0' }), { message: /--state-jobs: expected at least 1/ });
});
