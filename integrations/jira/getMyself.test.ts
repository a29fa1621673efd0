import { REDACTED, replayRecording, type Recording } from '@nangohq/action/testing';
import GetMyself from './getMyself.action';

/**
 * Jira's base_url is per site (https://<site>.atlassian.net), which a local stand-in cannot play, so this recording is
 * written by hand in the shape `nango dryrun --save` writes: a replay takes a Recording object as well as a file.
 */
const recording = (status: number, body: unknown): Recording => ({
  version: 1,
  integration: 'jira',
  function: 'getMyself',
  kind: 'action',
  recordedAt: '2026-01-01T00:00:00.000Z',
  connection: {
    userId: 'user-1',
    integration: 'jira',
    additionalConfig: { site: 'acme' },
    credentials: { username: REDACTED, password: REDACTED },
  },
  input: {},
  checkpoint: null,
  lastSyncDate: null,
  requests: [
    {
      method: 'GET',
      endpoint: 'rest/api/3/myself',
      response: { status, statusText: '', headers: { 'content-type': 'application/json' }, text: JSON.stringify(body) },
    },
  ],
  result: { records: {}, checkpoint: null },
});

it('returns the account id and display name of the credentials', async () => {
  const { result } = await replayRecording(
    GetMyself,
    recording(200, { accountId: '5b10a2844c20165700ede21g', displayName: 'Mia Krystof', active: true }),
  );
  expect(result.output).toEqual({ accountId: '5b10a2844c20165700ede21g', displayName: 'Mia Krystof' });
});

it("fails with Jira's status when the credentials are refused", async () => {
  await expect(replayRecording(GetMyself, recording(401, { errorMessages: ['Unauthorized'] }))).rejects.toThrow(
    'Jira answered 401',
  );
});
