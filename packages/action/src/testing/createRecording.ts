import type { NangoConnection } from '@nangohq/protocol';
import { redactSecrets, secretValuesOf } from './redactSecrets';
import { RECORDING_VERSION, REDACTED, type RecordedExchange, type RecordedResult, type Recording } from './Recording';

/** What a dry run knows when it writes its recording. */
export interface RecordingParts {
  integration: string;
  function: string;
  kind: 'action' | 'sync';
  connection: NangoConnection;
  input: unknown;
  checkpoint: Record<string, unknown> | null;
  lastSyncDate: string | null;
  requests: readonly RecordedExchange[];
  result: RecordedResult;
  /** More secrets to take out besides the Connection's credentials (the server's secret key). */
  extraSecrets?: readonly string[];
}

/**
 * The recording of a run, with no secret left in it: every value of the Connection's credentials (and
 * `extraSecrets`) is replaced wherever it appears, and fields, headers and query parameters named like secrets are
 * blanked (see redactSecrets).
 */
export function createRecording(parts: RecordingParts): Recording {
  const secrets = secretValuesOf(parts.connection.credentials);
  for (const secret of parts.extraSecrets ?? []) secrets.add(secret);
  const { connection } = parts;
  const recording: Recording = {
    version: RECORDING_VERSION,
    integration: parts.integration,
    function: parts.function,
    kind: parts.kind,
    recordedAt: new Date().toISOString(),
    connection: {
      userId: connection.userId,
      integration: connection.integration,
      additionalConfig: connection.additionalConfig,
      credentials: Object.fromEntries(Object.keys(connection.credentials).map((name) => [name, REDACTED])),
    },
    input: parts.input,
    checkpoint: parts.checkpoint,
    lastSyncDate: parts.lastSyncDate,
    requests: parts.requests,
    result: parts.result,
  };
  return redactSecrets(recording, secrets);
}
