// Writes a file so that readers see the old content or the new one, never half of it.
import { rename, writeFile } from 'node:fs/promises';

export async function writeAtomic(path: string, content: string): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await writeFile(temporary, content);
  await rename(temporary, path);
}
