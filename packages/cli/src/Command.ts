import type { ClientSettings } from './ApiClient';
import type { Flag, FlagValues } from './flags';

/** One command: its arguments (optional ones in brackets), its options, what it does, and how. */
export interface Command {
  readonly name: string;
  readonly args: readonly string[];
  /** Its `--name [value]` options, when it takes any. */
  readonly flags?: readonly Flag[];
  readonly summary: string;
  /** Longer help for `nango <command> --help`. */
  readonly details?: string;
  run(settings: ClientSettings, args: readonly string[], print: (text: string) => void, flags: FlagValues): Promise<void>;
}
