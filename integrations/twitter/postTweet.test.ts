import { join } from 'node:path';
import { loadRecording, replayRecording, type Recording } from '@nangohq/action/testing';
import PostTweet from './postTweet.action';

const RECORDING = join(__dirname, 'postTweet.recording.json');

// Replays postTweet.recording.json (made by examples/record-integrations.mjs with `nango dryrun --save`): offline.
it('posts the tweet and returns the created tweet', async () => {
  const { result, recording } = await replayRecording(PostTweet, RECORDING);
  expect(result.output).toMatchObject({ status: 201, body: { data: { text: 'Hello from a recorded test' } } });
  expect(result.output).toEqual(recording.result.output);
});

it('refuses an empty text before calling the API', async () => {
  const recording: Recording = { ...loadRecording(RECORDING), input: { text: '' } };
  await expect(replayRecording(PostTweet, recording)).rejects.toThrow('input.text is required');
});
