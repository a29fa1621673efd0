import { readFileSync } from 'node:fs';
import { RECORDING_VERSION, type Recording } from './Recording';

/**
 * Reads a recording file.
 * @throws Error naming the file: it cannot be read, is not JSON, or is not a recording of a version this knows
 */
export function loadRecording(file: string): Recording {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: cannot read the recording: ${(error as Error).message}`, { cause: error });
  }
  const recording = parsed as Partial<Recording> | null;
  if (recording === null || typeof recording !== 'object' || !Array.isArray(recording.requests) || !recording.connection) {
    throw new Error(`${file}: not a recording (no requests or connection): write one with \`nango dryrun … --save <dir>\``);
  }
  if (recording.version !== RECORDING_VERSION) {
    throw new Error(`${file}: recording version ${String(recording.version)}, this replay reads version ${RECORDING_VERSION}`);
  }
  return recording as Recording;
}
