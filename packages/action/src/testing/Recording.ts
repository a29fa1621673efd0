import type { HttpParams } from '../http';

/**
 * The file a dry run writes with `--save` (`<dir>/<integration>/<function>.recording.json`) and a replay reads: every
 * call the function made to the provider, with the reply it got, in order, plus what the run produced. Secrets are
 * stripped before it is written (see redactSecrets), so it can be committed beside the function.
 */
export interface Recording {
  /** Bumped when the shape changes incompatibly; a replay refuses a version it does not know. */
  readonly version: typeof RECORDING_VERSION;
  readonly integration: string;
  /** The action or sync name (the file's base name). */
  readonly function: string;
  readonly kind: 'action' | 'sync';
  /** When it was recorded (ISO 8601); informative only. */
  readonly recordedAt: string;
  /** The Connection the run saw, every credential value replaced by REDACTED. */
  readonly connection: RecordedConnection;
  readonly input: unknown;
  /** A sync's checkpoint at the start of the run (null for a first run, and for actions). */
  readonly checkpoint: Record<string, unknown> | null;
  readonly lastSyncDate: string | null;
  readonly requests: readonly RecordedExchange[];
  /** What the run produced: an action's output, a sync's records; compared by a replay. */
  readonly result: RecordedResult;
}

export const RECORDING_VERSION = 1;

/** What replaces a secret in a recording. */
export const REDACTED = '<redacted>';

export interface RecordedConnection {
  readonly userId: string;
  readonly integration: string;
  readonly additionalConfig: Record<string, unknown>;
  /** The credential field names the Connection had, each value REDACTED (a function may read which ones exist). */
  readonly credentials: Record<string, string>;
}

/** One call of `httpRequest` (or of a page of `paginate`) and the reply the function got. */
export interface RecordedExchange {
  readonly method: string;
  /** As the function wrote it, relative to the integration's base_url. */
  readonly endpoint: string;
  readonly params?: HttpParams;
  readonly body?: unknown;
  readonly response: {
    readonly status: number;
    readonly statusText: string;
    readonly headers: Record<string, string>;
    /** The body as text: the reply is rebuilt from it as the worker builds one (parsed when JSON). */
    readonly text: string;
  };
}

/** What one run of a function produced. */
export interface RecordedResult {
  /** An action's return value (undefined for a sync). */
  readonly output?: unknown;
  /** A sync's calls per model, in the order made. */
  readonly records: Record<string, ModelChanges>;
  /** The checkpoint the run saved last, or the one it started with when it saved none. */
  readonly checkpoint: Record<string, unknown> | null;
}

/** What a sync run did to one model. */
export interface ModelChanges {
  saved: unknown[];
  updated: unknown[];
  deleted: unknown[];
}
