import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { flashImage, rewriteFlashCode, writeFlashImage } from './flash-image.ts';
import { UsageError } from '../errors.ts';
import { testFolder } from '../testdata/test-folder.ts';

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

test('rewriting the firmware restores its swapped words and keeps what the firmware saved after it', async (t) => {
  const dir = await testFolder(t, 'flash');
  const code = join(dir, 'u-boot.bin');
  const flash = join(dir, 'flash.img');
  const layout = { bytes: 16, reverseBytes: 4 };
  await writeFile(code, Uint8Array.from([1, 2, 3, 4, 5, 6]));
  await writeFlashImage(code, layout, flash);
  // As QEMU leaves it after loading a saved state on Malta: the firmware written back unswapped, an environment saved at 12.
  const written = Buffer.from([1, 2, 3, 4, 5, 6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 9, 9, 9, 9]);
  await writeFile(flash, written);
  await rewriteFlashCode(code, layout, flash);
  t.deepEqual([...(await readFile(flash))], [4, 3, 2, 1, 0xff, 0xff, 6, 5, 0xff, 0xff, 0xff, 0xff, 9, 9, 9, 9]);
});
