import type { NangoConnection } from '@nangohq/protocol';
import { loadRecording } from './loadRecording';
import type { Recording } from './Recording';
import { replayHttp } from './replayHttp';
import { runLocally, type FunctionClass, type LocalRunResult, type LoggedLine } from './runLocally';

export interface ReplayOptions {
  /** Called for each line the function logs. Default: lines are only kept in the result */
  onLog?: (line: LoggedLine) => void;
}

/** A replay's outcome: what the function produced this time, and what it produced when recorded. */
export interface Replay {
  readonly result: LocalRunResult;
  readonly recording: Recording;
}

/**
 * Runs an action or sync class offline against a recording made by `nango dryrun … --save <dir>`: the same
 * Connection (credentials redacted), input and checkpoint, every provider call answered from the recording in order.
 * Compare `result` with `recording.result` (an action's `output`, a sync's `records` and `checkpoint`):
 *
 *   const { result, recording } = await replayRecording(Issues, join(__dirname, 'issues.recording.json'));
 *   expect(result.records).toEqual(recording.result.records);
 *
 * @param recording the recording, or the path of its file
 * @throws Error what the function throws, or a call the recording holds no reply for (named)
 */
export async function replayRecording(
  functionClass: FunctionClass,
  recording: Recording | string,
  options: ReplayOptions = {},
): Promise<Replay> {
  const loaded = typeof recording === 'string' ? loadRecording(recording) : recording;
  const name = typeof recording === 'string' ? recording : `the recording of ${loaded.integration}/${loaded.function}`;
  const result = await runLocally(functionClass, {
    connection: replayConnection(loaded),
    http: replayHttp(loaded.requests, name),
    input: loaded.input,
    checkpoint: loaded.checkpoint,
    lastSyncDate: loaded.lastSyncDate,
    ...(options.onLog && { onLog: options.onLog }),
  });
  return { result, recording: loaded };
}

/** The Connection a replay gives the function: the recorded one, with its redacted credentials. */
export function replayConnection(recording: Recording): NangoConnection {
  const { connection } = recording;
  return {
    uuid: `replay-${connection.integration}-${connection.userId}`,
    integration: connection.integration,
    userId: connection.userId,
    dateCreated: recording.recordedAt,
    lastModified: recording.recordedAt,
    additionalConfig: structuredClone(connection.additionalConfig),
    authorization: 'ok',
    credentials: { ...connection.credentials, raw: {} },
  };
}
