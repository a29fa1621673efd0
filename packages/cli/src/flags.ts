import { CliError } from './ApiClient';

/** One `--name [value]` option of a command. */
export interface Flag {
  /** Without the dashes, kebab-case: `connection-id`. */
  readonly name: string;
  /** The placeholder of its value in help (`<id>`); absent for a switch such as `--json`. */
  readonly value?: string;
  readonly summary: string;
}

/** Flag values by name: a string for a flag with a value, true for a switch. */
export type FlagValues = Readonly<Record<string, string | true>>;

/**
 * Splits arguments into positional ones and flags (`--name value` or `--name=value`; a switch takes none).
 * @throws CliError (exit code 2) for an unknown flag, a missing value, or a flag given twice
 */
export function parseFlags(
  command: string,
  flags: readonly Flag[],
  args: readonly string[],
): { positional: string[]; values: FlagValues } {
  const positional: string[] = [];
  const values: Record<string, string | true> = {};
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = splitOnce(arg.slice(2));
    const flag = flags.find((candidate) => candidate.name === name);
    if (!flag) {
      const known = flags.map((candidate) => `--${candidate.name}`).join(', ');
      throw new CliError(`nango ${command}: unknown option --${name}; it takes ${known}`, 2);
    }
    if (values[name] !== undefined) throw new CliError(`nango ${command}: --${name} is given twice`, 2);
    if (flag.value === undefined) {
      if (inline !== undefined) throw new CliError(`nango ${command}: --${name} takes no value`, 2);
      values[name] = true;
      continue;
    }
    const value = inline ?? args[++index];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) {
      throw new CliError(`nango ${command}: --${name} needs a value ${flag.value}`, 2);
    }
    values[name] = value;
  }
  return { positional, values };
}

/** Help lines of the flags, aligned. */
export function flagHelp(flags: readonly Flag[]): string {
  const heads = flags.map((flag) => `--${flag.name}${flag.value ? ` ${flag.value}` : ''}`);
  const width = Math.max(...heads.map((head) => head.length));
  return flags.map((flag, index) => `  ${(heads[index] as string).padEnd(width)}  ${flag.summary}`).join('\n');
}

function splitOnce(text: string): [string, string | undefined] {
  const at = text.indexOf('=');
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}
