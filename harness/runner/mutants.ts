// Mutants of a shell script: one small change to one line each (a statement dropped, a condition or comparison
// turned round, an exit status flipped), and a seeded choice of some of them.
import { seededRandom } from '../seeded-random.ts';

export type MutationOperator = 'delete' | 'negate' | 'and-or' | 'compare' | 'exit';

export interface Mutant {
  /** 1-based; stable for a given script text. */
  id: number;
  /** 1-based line number in the script. */
  line: number;
  operator: MutationOperator;
  original: string;
  /** The line as the mutant has it (a deleted statement becomes `:`, which keeps the script's syntax). */
  mutated: string;
  description: string;
}

/** Whether the text is a shell script: a #! line naming sh, bash, dash, ash, ksh or zsh. */
export function isShellScript(text: string): boolean {
  const first = text.split('\n', 1)[0] ?? '';
  return /^#!\s*\S*\/(env\s+)?(ba|da|a|k|z)?sh(\s|$)/.test(first) || /^#!\s*\S*\/env\s+(ba|da|a|k|z)?sh(\s|$)/.test(first);
}

/** Lines that only open or close a compound command: dropping one is a syntax error, never a useful mutant. */
const structural = /^(\}|fi|done|esac|;;|then|do|else|\{|\(|\))\s*(;;)?\s*$|^[\w.-]+\s*\(\)\s*\{?\s*$|^case\s.*\sin\s*$|^(if|elif|while|until|for)\s/;
/** A case arm like `hd0d) x=1 ;;` or a bare pattern line: dropping it leaves the case unparsable. */
const caseArm = /^[^\s()=]*[^\s=(]*\)(\s|$)/;
/** A line whose command goes on on the next line. */
const continues = /(\\|\||&&)\s*$/;
/** A line that opens a body: no statement to delete, but the next line starts one. */
const opensBody = /(\bthen|\bdo|\{)\s*$/;

const comparisons: [RegExp, string, string][] = [
  [/ -eq /, ' -ne ', '-eq → -ne'],
  [/ -ne /, ' -eq ', '-ne → -eq'],
  [/ -lt /, ' -ge ', '-lt → -ge'],
  [/ -ge /, ' -lt ', '-ge → -lt'],
  [/ -gt /, ' -le ', '-gt → -le'],
  [/ -le /, ' -gt ', '-le → -gt'],
  [/ != /, ' = ', '!= → ='],
  [/\[ -z /, '[ -n ', '-z → -n'],
  [/\[ -n /, '[ -z ', '-n → -z'],
];

/** Every mutant of the script, in line order. */
export function scriptMutants(text: string): Mutant[] {
  const lines = text.split('\n');
  const found: Omit<Mutant, 'id'>[] = [];
  let heredoc: string | undefined;
  let previousContinues = false;
  lines.forEach((raw, index) => {
    const line = index + 1;
    const code = raw.trim();
    if (heredoc !== undefined) {
      if (code === heredoc) heredoc = undefined;
      return;
    }
    if (code === '' || code.startsWith('#')) return;
    const add = (operator: MutationOperator, mutated: string, description: string) => found.push({ line, operator, original: raw, mutated, description });
    const indent = raw.slice(0, raw.length - raw.trimStart().length);
    const withoutComment = code.replace(/\s+#.*$/, '');

    if (!structural.test(withoutComment) && !caseArm.test(withoutComment) && !previousContinues && !continues.test(withoutComment) && !opensBody.test(withoutComment)) {
      add('delete', `${indent}:`, 'statement deleted');
    }
    const condition = /^(\s*(?:if|elif|while|until)\s+)(!\s+)?/.exec(raw);
    if (condition) {
      const mutated = condition[2] ? raw.slice(0, condition[1]!.length) + raw.slice(condition[0].length) : `${condition[1]}! ${raw.slice(condition[1]!.length)}`;
      add('negate', mutated, condition[2] ? 'condition un-negated' : 'condition negated');
    }
    for (const match of raw.matchAll(/&&|\|\|/g)) {
      const swapped = match[0] === '&&' ? '||' : '&&';
      add('and-or', raw.slice(0, match.index) + swapped + raw.slice(match.index + 2), `${match[0]} → ${swapped} (column ${match.index + 1})`);
    }
    for (const [pattern, replacement, description] of comparisons) {
      const match = pattern.exec(raw);
      if (match) add('compare', raw.slice(0, match.index) + replacement + raw.slice(match.index + match[0].length), description);
    }
    const exit = /\bexit (0|1)\b/.exec(raw);
    if (exit) {
      const other = exit[1] === '0' ? '1' : '0';
      add('exit', raw.slice(0, exit.index) + `exit ${other}` + raw.slice(exit.index + 6), `exit ${exit[1]} → exit ${other}`);
    }
    const opens = /<<-?\s*['"]?(\w+)['"]?/.exec(withoutComment);
    if (opens) heredoc = opens[1];
    previousContinues = continues.test(withoutComment);
  });
  return found.map((m, i) => ({ id: i + 1, ...m }));
}

/** The script with the mutant's line changed. */
export function applyMutant(text: string, mutant: Mutant): string {
  const lines = text.split('\n');
  if (lines[mutant.line - 1] !== mutant.original) throw new Error(`mutant ${mutant.id}: line ${mutant.line} of the script is not the line it was made from`);
  lines[mutant.line - 1] = mutant.mutated;
  return lines.join('\n');
}

/** `max` of the mutants (all when there are no more), chosen by `seed` alone, in line order. */
export function pickMutants(mutants: Mutant[], max: number, seed: number): Mutant[] {
  const random = seededRandom(seed);
  const pool = [...mutants];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, max).sort((a, b) => a.id - b.id);
}
