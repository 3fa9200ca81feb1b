import test from 'ava';
import { readdirSync } from 'node:fs';

test('importing any CLI module prints nothing and does not exit', async (t) => {
  const dir = new URL('./', import.meta.url);
  const modules = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  t.true(modules.includes('main.ts'));
  const calls: string[] = [];
  const saved = { exit: process.exit, log: console.log, error: console.error, write: process.stdout.write };
  process.exit = ((code?: number) => {
    calls.push(`process.exit(${code})`);
    throw new Error('process.exit called');
  }) as typeof process.exit;
  console.log = (...args: unknown[]) => calls.push(`console.log ${args.join(' ')}`);
  console.error = (...args: unknown[]) => calls.push(`console.error ${args.join(' ')}`);
  process.stdout.write = ((chunk: unknown) => calls.push(`stdout ${String(chunk)}`) > 0) as typeof process.stdout.write;
  try {
    for (const file of modules) await import(new URL(file, dir).href);
    // A command started on import would print or exit after the imports resolve.
    await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    Object.assign(process, { exit: saved.exit });
    Object.assign(console, { log: saved.log, error: saved.error });
    process.stdout.write = saved.write;
  }
  t.deepEqual(calls, []);
});
