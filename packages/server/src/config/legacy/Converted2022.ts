import type { ConfigProblem } from '../../ConfigError';

type Mapping = Record<string, unknown>;

/** What a 2022 folder became: our integrations.yaml, catalog entries for inline `auth:`, and what was said about it. */
export interface Converted2022 {
  /** The equivalent integrations.yaml document, in our format. */
  readonly document: { integrations: Record<string, Mapping> };
  /** Providers for integrations that declared their own OAuth settings (`auth:`), by name. */
  readonly providers: Record<string, Mapping>;
  /** What cannot be mapped, with its path in the 2022 file and what to write instead: loading fails. */
  readonly problems: ConfigProblem[];
  /** What was mapped to something else or has no effect here, with its path: loading goes on. */
  readonly notices: ConfigProblem[];
  /** nango-config.yaml's `main_server_log_level`, as our level, for NANGO_LOG_LEVEL when it is not set. */
  readonly serverLogLevel: string | undefined;
}
