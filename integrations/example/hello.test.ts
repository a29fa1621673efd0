import { join } from 'node:path';
import { replayRecording } from '@nangohq/action/testing';
import Hello from './hello.action';

// Replays hello.recording.json (made by examples/record-integrations.mjs with `nango dryrun --save`): no API call.
it("greets with the Connection's greeting and logs the user id", async () => {
  const { result, recording } = await replayRecording(Hello, join(__dirname, 'hello.recording.json'));
  expect(recording.requests).toEqual([]);
  expect(result.output).toEqual({ message: 'Hi, Ada!' });
  expect(result.output).toEqual(recording.result.output);
  expect(result.logs).toEqual([{ level: 'info', message: 'greeting', fields: { userId: 'user-1' } }]);
});
