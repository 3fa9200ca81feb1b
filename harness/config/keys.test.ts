import test from 'ava';
import { keyBytes } from './keys.ts';

test('a key sequence is its keys in order: escape then ctrl-u for a loader whose prompt keeps every key typed', (t) => {
  t.is(keyBytes('escape ctrl-u'), '\x1b\x15');
  t.is(keyBytes('ctrl-u'), '\x15');
  t.is(keyBytes('space enter'), ' \r');
  t.throws(() => keyBytes('escape ctrl-7'), { message: /unknown key "ctrl-7"/ });
});
