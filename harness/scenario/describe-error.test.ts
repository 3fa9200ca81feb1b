import test from 'ava';
import { describeError } from './describe-error.ts';
import { WaitTimeout } from '../errors.ts';

test('an error thrown by a scenario is recorded in its own words, not as ava\'s wrapper', async (t) => {
  const attempt = await t.try(async () => {
    throw new WaitTimeout('/boot> /', 3000, '--- last screen ---\nSeaBIOS');
  });
  attempt.discard();
  const summary = describeError(attempt.errors[0]);
  t.is(summary.kind, 'WaitTimeout');
  t.regex(summary.message, /^timed out after 3\.0 s waiting for \/boot> \/\n--- last screen ---\nSeaBIOS/);
});

test('a failed assertion is recorded with its message and the values compared', async (t) => {
  const attempt = await t.try((tt) => {
    tt.is('hd0e', 'hd0d', 'the image boots the device boot.conf names');
  });
  attempt.discard();
  const summary = describeError(attempt.errors[0]);
  t.is(summary.kind, 'AssertionError');
  t.regex(summary.message, /^the image boots the device boot\.conf names\n[\s\S]*hd0e[\s\S]*hd0d/);
});
