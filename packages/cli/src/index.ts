import { CliError, clientSettings } from './ApiClient';
import { checkArgs, COMMANDS, usage, type Command } from './commands';
import { flagHelp, parseFlags } from './flags';

export { CliError } from './ApiClient';
export { COMMANDS } from './commands';

const HELP_FOOTER = `Environment:
  NANGO_HOSTPORT     the Nango server (default: http://localhost:3003)
  NANGO_SECRET_KEY   the server's secret key, when it sets one (sent as a Bearer token)

Run 'nango <command> --help' for one command's help.`;

/** The general help: every command with its summary. */
export function help(): string {
  const lines = COMMANDS.map((command) => `  ${usage(command)}\n      ${command.summary}`);
  return `Usage: nango <command> [arguments]\n\nCommands:\n${lines.join('\n')}\n  nango help\n      Show this help.\n\n${HELP_FOOTER}`;
}

function commandHelp(command: Command): string {
  const options = command.flags ? `\n\nOptions:\n${flagHelp(command.flags)}` : '';
  const details = command.details ? `\n\n${command.details}` : '';
  return `Usage: ${usage(command)}\n\n${command.summary}${options}${details}\n\n${HELP_FOOTER}`;
}

/**
 * Runs the CLI: prints to `out` and `err`, returns the exit code (0, 1 when the server refused or failed, 2 for a
 * usage mistake). Never throws.
 */
export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  out: (text: string) => void = console.log,
  err: (text: string) => void = console.error,
): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    out(help());
    return 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    err(`nango: unknown command '${name}'.\n\n${help()}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    out(commandHelp(command));
    return 0;
  }
  try {
    const { positional, values } = command.flags
      ? parseFlags(command.name, command.flags, args)
      : { positional: args, values: {} };
    checkArgs(command, positional);
    await command.run(clientSettings(env), positional, out, values);
    return 0;
  } catch (error) {
    if (error instanceof CliError) {
      err(`Error: ${error.message}`);
      return error.exitCode;
    }
    err(`Error: unexpected failure: ${(error as Error).message}`);
    return 1;
  }
}
