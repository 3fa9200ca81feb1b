// Loads scenario files with ava stood in for, and writes what they declare as JSON to BOOTPROOF_COLLECT_OUT.
import { register } from 'node:module';
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { DeclaredTest } from '../scenario/scenario.ts';

const standIn = new URL('./ava-stand-in.ts', import.meta.url).href;
register(
  `data:text/javascript,${encodeURIComponent(`export async function resolve(specifier, context, next) {
    return next(specifier === 'ava' ? ${JSON.stringify(standIn)} : specifier, context);
  }`)}`,
);

const { declaredScenarios } = await import('../scenario/scenario.ts');
const files: { file: string; scenarios: string[] }[] = [];
const tests: (DeclaredTest & { file: string })[] = [];
for (const file of process.argv.slice(2)) {
  const before = new Set(declaredScenarios().keys());
  try {
    await import(pathToFileURL(file).href);
  } catch (error) {
    const duplicate = /^scenario "(.*)" is declared twice$/.exec((error as Error).message)?.[1];
    const first = files.find((f) => f.scenarios.includes(duplicate ?? ''));
    if (first) throw new Error(`scenario "${duplicate}" is declared in ${first.file} and in ${file}: give one of them another name`);
    throw error;
  }
  const scenarios = [...declaredScenarios().keys()].filter((name) => !before.has(name));
  files.push({ file, scenarios });
  for (const name of scenarios) tests.push(...declaredScenarios().get(name)!.map((test) => ({ ...test, file })));
}
writeFileSync(process.env.BOOTPROOF_COLLECT_OUT!, JSON.stringify({ files, tests }));
