import test from 'ava';
import { applyMutant, isShellScript, pickMutants, scriptMutants } from './mutants.ts';

const script = [
  '#!/bin/sh', //                                       1: shebang, never mutated
  '# a comment', //                                     2
  '', //                                                3
  'PATH=/sbin:/bin', //                                 4: delete
  'check() {', //                                       5: structural
  '  if grep -q x /etc/a; then', //                     6: negate
  '    exit 0', //                                      7: delete, exit 0 → 1
  '  fi', //                                            8: structural
  '}', //                                               9
  '[ "$n" -eq 0 ] && fail "none"', //                  10: delete, && → ||, -eq → -ne
  'case "$d" in', //                                   11
  '  hd0d) new=hd0e ;;', //                            12: a case arm is not deleted
  'esac', //                                           13
  'cat <<EOF', //                                      14: delete
  'if inside a here-document', //                      15: text, never mutated
  'EOF', //                                            16
  'dd if=a of=b ||', //                                17: || → &&, not deleted (continues)
  '  echo failed', //                                  18: continuation, not deleted
].join('\n');

test('mutants come from statements and conditions, never from comments, blank lines, the shebang or here-documents', (t) => {
  const mutants = scriptMutants(script);
  t.deepEqual(
    mutants.map((m) => [m.line, m.operator, m.mutated.trim()]),
    [
      [4, 'delete', ':'],
      [6, 'negate', 'if ! grep -q x /etc/a; then'],
      [7, 'delete', ':'],
      [7, 'exit', 'exit 1'],
      [10, 'delete', ':'],
      [10, 'and-or', '[ "$n" -eq 0 ] || fail "none"'],
      [10, 'compare', '[ "$n" -ne 0 ] && fail "none"'],
      [14, 'delete', ':'],
      [17, 'and-or', 'dd if=a of=b &&'],
    ],
  );
  t.deepEqual(mutants.map((m) => m.id), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('an already negated condition is un-negated, and a mutant keeps the line\'s indentation', (t) => {
  const [negate] = scriptMutants('#!/bin/sh\n    if ! [ -r f ]; then\n      :\n    fi\n').filter((m) => m.operator === 'negate');
  t.is(negate!.mutated, '    if [ -r f ]; then');
  t.is(negate!.description, 'condition un-negated');
});

test('applying a mutant changes only its line', (t) => {
  const mutant = scriptMutants(script).find((m) => m.operator === 'exit')!;
  const mutated = applyMutant(script, mutant).split('\n');
  const original = script.split('\n');
  t.deepEqual(mutated.flatMap((line, i) => (line === original[i] ? [] : [i + 1])), [7]);
  t.is(mutated[6], '    exit 1');
  t.throws(() => applyMutant(script.replace('exit 0', 'exit 2'), mutant), { message: /line 7 of the script is not the line it was made from/ });
});

test('the seeded choice is the same for the same seed, differs for another, and takes every mutant when there are few', (t) => {
  const many = scriptMutants(Array.from({ length: 60 }, (_, i) => `echo ${i}`).join('\n'));
  t.is(many.length, 60);
  const first = pickMutants(many, 10, 7).map((m) => m.id);
  t.deepEqual(pickMutants(many, 10, 7).map((m) => m.id), first);
  t.is(new Set(first).size, 10);
  t.deepEqual([...first].sort((a, b) => a - b), first, 'in line order');
  t.notDeepEqual(pickMutants(many, 10, 8).map((m) => m.id), first);
  t.deepEqual(pickMutants(many.slice(0, 3), 10, 7).map((m) => m.id), [1, 2, 3]);
});

test('a shell script is told by its #! line', (t) => {
  t.true(isShellScript('#!/bin/sh\necho'));
  t.true(isShellScript('#! /bin/bash -e\n'));
  t.true(isShellScript('#!/usr/bin/env sh\n'));
  t.false(isShellScript('#!/usr/bin/python3\n'));
  t.false(isShellScript('set device=hd0d\n'));
});
