// One CLI command: its own option table and usage text; any option, or argument, it does not take is a usage error.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.ts';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

export type Values<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: true }>>['values'];

export interface CommandSpec<O extends ParseArgsOptionsConfig> {
  /** As typed after `bootproof`, e.g. "image pack". */
  name: string;
  usage: string;
  options: O;
  /** Whether it takes arguments besides options (its `run` checks how many); without, any is refused. */
  positionals?: boolean;
  run(values: Values<O>, positionals: string[]): Promise<number> | number;
  /** Options other commands take that this one refuses with a reason rather than as unknown (e.g. --image on nightly). */
  refuses?: { flags: string[]; why: string };
}

/** A command takes the arguments after its name and resolves to the exit status; `--help` prints its usage. */
export type Command = (args: string[]) => Promise<number>;

const help = { help: { type: 'boolean', short: 'h' } } as const;

export function command<O extends ParseArgsOptionsConfig>(spec: CommandSpec<O>): Command {
  const options: ParseArgsOptionsConfig = { ...spec.options, ...help };
  return async (args) => {
    let parsed;
    try {
      parsed = parseArgs({ args, options, strict: true, allowPositionals: spec.positionals ?? false });
    } catch (error) {
      throw refusal(spec, options, args, error);
    }
    if (parsed.values.help) {
      console.log(spec.usage);
      return 0;
    }
    return spec.run(parsed.values as Values<O>, parsed.positionals);
  };
}

function refusal(spec: Pick<CommandSpec<ParseArgsOptionsConfig>, 'name' | 'refuses'>, options: ParseArgsOptionsConfig, args: string[], error: unknown): unknown {
  const { name } = spec;
  const code = (error as { code?: string }).code;
  const valid = `${name} takes ${Object.entries(options)
    .map(([long, o]) => (o.short ? `-${o.short}/--${long}` : `--${long}`))
    .join(', ')} (see bootproof ${name} --help)`;
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const unknown = tokens.flatMap((t) => (t.kind === 'option' && !Object.hasOwn(options, t.name) ? [t.rawName] : []));
    const refused = unknown.find((o) => spec.refuses?.flags.includes(o));
    if (refused) return new UsageError(`${name} takes no ${refused}: ${spec.refuses!.why}`);
    return new UsageError(`unknown option ${[...new Set(unknown)].join(', ')} for ${name}: ${valid}`);
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const extra = tokens.flatMap((t) => (t.kind === 'positional' ? [`"${t.value}"`] : []));
    return new UsageError(`${name} takes no arguments, got ${extra.join(', ')}: ${valid}`);
  }
  if (code?.startsWith('ERR_PARSE_ARGS_')) return new UsageError(`${name}: ${(error as Error).message}\n${valid}`);
  return error;
}
