// JUnit XML as Jenkins and GitLab read it: one testsuite per machine, one testcase per scenario.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FinalTest } from '../results/model.ts';
import type { Reporter } from './reporter.ts';

export const junitReporter: Reporter = {
  file: 'junit.xml',
  render: (results, runDir) => junitXml(results.tests, (t) => transcriptTail(runDir, t)),
};

function transcriptTail(runDir: string, record: FinalTest): string {
  if (!record.artifacts.transcript) return '';
  try {
    return readFileSync(join(runDir, record.artifacts.transcript), 'utf8').slice(-3000);
  } catch {
    return '';
  }
}

export function junitXml(records: FinalTest[], transcriptTail: (record: FinalTest) => string): string {
  const byMachine = new Map<string, FinalTest[]>();
  for (const r of records) byMachine.set(r.machine, [...(byMachine.get(r.machine) ?? []), r]);
  const suites = [...byMachine].map(([machine, tests]) => {
    // A known failure reads as skipped, as expected failures (xfail) do in other tools' JUnit output.
    const failures = tests.filter((t) => t.status === 'failed' && !t.knownFailure).length;
    const skipped = tests.filter((t) => t.status === 'skipped' || t.knownFailure).length;
    const seconds = tests.reduce((sum, t) => sum + t.durationMs, 0) / 1000;
    const cases = tests.map((t) => testcase(t, transcriptTail(t))).join('');
    return `  <testsuite name="${xml(machine)}" tests="${tests.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds.toFixed(3)}">\n${cases}  </testsuite>\n`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="bootproof">\n${suites.join('')}</testsuites>\n`;
}

function testcase(t: FinalTest, tail: string): string {
  const open = `    <testcase classname="${xml(t.machine)}" name="${xml(t.title)}" time="${(t.durationMs / 1000).toFixed(3)}">`;
  let body = '';
  if (t.knownFailure) {
    const message = `known failure (${t.knownFailure.reason}; expires ${t.knownFailure.expires}): ${t.error?.message.split('\n')[0] ?? 'failed'}`;
    body += `\n      <skipped message="${xml(message)}"/>`;
  } else if (t.status === 'failed') {
    const message = t.error?.message ?? 'failed';
    body += `\n      <failure message="${xml(message.split('\n')[0] ?? '')}" type="${xml(t.error?.kind ?? 'Error')}">${xml(message)}</failure>`;
  } else if (t.status === 'skipped') {
    body += `\n      <skipped message="${xml(t.skipReason ?? '')}"/>`;
  } else if (t.status === 'flaky') {
    body += `\n      <properties><property name="flaky" value="true"/></properties>`;
  }
  if (tail) body += `\n      <system-out>${xml(tail)}</system-out>`;
  return `${open}${body}${body ? '\n    ' : ''}</testcase>\n`;
}

/** Escapes text for XML and drops the control characters XML 1.0 forbids. */
export function xml(text: string): string {
  return text
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
