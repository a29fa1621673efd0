import { join } from 'node:path';
import { loadRecording, replayRecording } from '@nangohq/action/testing';
import Issues from './issues.sync';

// Replays issues.recording.json (made by examples/record-integrations.mjs with `nango dryrun --save`, against the
// tracker of examples/tracker-api.mjs holding 120 issues): two pages, offline.
it('saves every issue across the pages and checkpoints the last change', async () => {
  const { result, recording } = await replayRecording(Issues, join(__dirname, 'issues.recording.json'));
  expect(recording.requests.map((request) => request.params)).toEqual([
    { since: 0, limit: 100 },
    { since: 0, limit: 100, cursor: '100' },
  ]);
  const saved = result.records['TrackerIssue']?.saved ?? [];
  expect(saved).toHaveLength(120);
  expect(saved[0]).toEqual({ id: 1, title: 'Issue 1', state: 'open', updated: 1 });
  expect(result.checkpoint).toEqual({ since: 120 });
  expect(result.records).toEqual(recording.result.records);
  expect(result.logs.at(-1)?.message).toBe('read 120 changed issue(s) since 0');
});

it('fails, naming the call, when the function asks for a page the recording does not hold', async () => {
  const recording = loadRecording(join(__dirname, 'issues.recording.json'));
  const fromLater = { ...recording, checkpoint: { since: 50 } };
  await expect(replayRecording(Issues, fromLater)).rejects.toThrow(/has no reply for GET \/issues\?since=50&limit=100/);
});
