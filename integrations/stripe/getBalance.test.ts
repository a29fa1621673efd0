import { join } from 'node:path';
import { replayRecording } from '@nangohq/action/testing';
import GetBalance from './getBalance.action';

// Replays getBalance.recording.json (made by examples/record-integrations.mjs with `nango dryrun --save`): offline.
it('returns the available balance per currency', async () => {
  const { result, recording } = await replayRecording(GetBalance, join(__dirname, 'getBalance.recording.json'));
  expect(result.output).toEqual({ usd: 5100, eur: 800 });
  expect(result.output).toEqual(recording.result.output);
});
