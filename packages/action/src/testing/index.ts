/**
 * @nangohq/action/testing: run an action or sync in this process and test it offline against recorded provider
 * replies. `nango dryrun <integration> <function> <connection id> --save <dir>` (packages/cli) records a run; a test
 * replays it with replayRecording and compares what the function produced.
 */
export {
  RECORDING_VERSION,
  REDACTED,
  type ModelChanges,
  type RecordedConnection,
  type RecordedExchange,
  type RecordedResult,
  type Recording,
} from './Recording';
export { createRecording, type RecordingParts } from './createRecording';
export { loadRecording } from './loadRecording';
export { isSecretName, redactSecrets, secretValuesOf } from './redactSecrets';
export { recordHttp } from './recordHttp';
export { replayHttp } from './replayHttp';
export { replayConnection, replayRecording, type Replay, type ReplayOptions } from './replayRecording';
export {
  isSyncClass,
  runLocally,
  type FunctionClass,
  type LocalHttp,
  type LocalRunOptions,
  type LocalRunResult,
  type LoggedLine,
} from './runLocally';
