import { join } from 'node:path';
import { replayRecording } from '@nangohq/action/testing';
import SlackNotify from './notify.action';

// Replays notify.recording.json (made by examples/record-integrations.mjs with `nango dryrun --save`): offline.
it("posts the message to the Connection's channel and returns Slack's reply", async () => {
  const { result, recording } = await replayRecording(SlackNotify, join(__dirname, 'notify.recording.json'));
  // The recorded call matched this run's call: same endpoint and body, built from additionalConfig.channelId.
  expect(recording.requests[0]).toMatchObject({
    method: 'POST',
    endpoint: 'chat.postMessage',
    body: { channelId: 'C0123456', text: 'Deploy finished', mrkdwn: true },
  });
  expect(result.output).toMatchObject({ ok: true, status: 200, body: { ok: true, channel: 'C0123456' } });
  expect(result.output).toEqual(recording.result.output);
});
