import test from 'ava';
import { replayPlan } from './replay-plan.ts';

const cast = [
  '{"version":2,"width":80,"height":25}',
  '[0.1, "o", "SeaBIOS\\r\\npress ESC within 3 seconds for the boot> prompt\\r\\n"]',
  '[0.2, "i", "\\u001b"]',
  '[0.3, "o", "boot> "]',
  '[0.4, "i", "s"]',
  '[0.5, "o", "s"]',
  '[0.6, "i", "e"]',
  '[0.7, "i", "t"]',
  '[0.8, "o", "et\\r\\nresflash(hd0d)# \\u001b[6n"]',
  '[0.9, "i", "echo hi\\r"]',
].join('\n');

test('each input follows the last line printed before it; inputs with no output between are one step', (t) => {
  t.deepEqual(replayPlan(cast), [
    { number: 1, after: 'press ESC within 3 seconds for the boot> prompt', input: '\x1b' },
    { number: 2, after: 'boot> ', input: 's' },
    { number: 3, after: 's', input: 'et' },
    { number: 4, after: 'resflash(hd0d)# ', input: 'echo hi\r' },
  ]);
});
