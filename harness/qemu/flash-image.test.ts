import test from 'ava';
import { flashImage } from './flash-image.ts';
import { UsageError } from '../errors.ts';

test('the firmware sits at offset 0 and the rest of the flash is erased', (t) => {
  const image = flashImage(Uint8Array.from([1, 2, 3]), { bytes: 8 });
  t.deepEqual([...image], [1, 2, 3, 0xff, 0xff, 0xff, 0xff, 0xff]);
});

test('words are byte-reversed as the board swaps them; a last partial word is padded with erased bytes first', (t) => {
  const image = flashImage(Uint8Array.from([1, 2, 3, 4, 5, 6]), { bytes: 12, reverseBytes: 4 });
  t.deepEqual([...image], [4, 3, 2, 1, 0xff, 0xff, 6, 5, 0xff, 0xff, 0xff, 0xff]);
});

test('a firmware larger than the flash is refused with both sizes', (t) => {
  t.throws(() => flashImage(new Uint8Array(9), { bytes: 8 }, 'u-boot.bin'), {
    instanceOf: UsageError,
    message: 'u-boot.bin is 9 bytes, larger than the 8-byte flash',
  });
});
