// Prepares a recorded asciicast for embedding in the page: whole lines only, and a size the page can carry.
import type { TestFiles } from './test-section.ts';

/** Casts larger than this stay a file beside the report (`asciinema play` replays them). */
export const maxEmbeddedCastBytes = 4 * 1024 * 1024;

/** The cast's header and every complete event line; a line cut by a crash is dropped. */
export function embeddableCast(text: string, bytes: number): TestFiles['cast'] {
  if (bytes > maxEmbeddedCastBytes) {
    return { missing: `the cast is ${(bytes / 1024 / 1024).toFixed(1)} MiB, too large to embed; play console.cast with asciinema play` };
  }
  const [header, ...events] = text.split('\n');
  if (!isHeader(header)) return { missing: 'console.cast has no asciicast header' };
  const whole = events.filter((line) => {
    try {
      const event: unknown = JSON.parse(line);
      return Array.isArray(event) && typeof event[0] === 'number' && typeof event[1] === 'string' && typeof event[2] === 'string';
    } catch {
      return false;
    }
  });
  return { text: [header, ...whole].join('\n') + '\n' };
}

function isHeader(line: string | undefined): line is string {
  try {
    const header: unknown = JSON.parse(line ?? '');
    return typeof header === 'object' && header !== null && (header as { version?: unknown }).version === 2;
  } catch {
    return false;
  }
}
