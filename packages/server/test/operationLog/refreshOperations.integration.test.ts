import { join } from 'node:path';
import type { NangoError } from '@nangohq/node-client';
import { startHarness, type Harness } from '../helpers/harness';
import { RecordingOperationLog } from '../helpers/RecordingOperationLog';
import { AuthServer, CLIENT_ID, CLIENT_SECRET } from '../oauth/authServer';

jest.setTimeout(30_000);

/** Credentials that expire within the refresh margin: the next action run refreshes them first. */
const DUE = { access_token: 'due-access-token-1234', refresh_token: 'due-refresh-token-5678', expires_in: 120 };

describe('token refreshes in the operations log (a real OAuth 2 server, through action runs)', () => {
  let auth: AuthServer;
  let h: Harness;
  let log: RecordingOperationLog;

  beforeEach(async () => {
    auth = await AuthServer.start();
    log = new RecordingOperationLog();
    h = await startHarness({
      yaml: `
integrations:
  oauthed:
    auth_mode: OAUTH2
    base_url: https://api.oauthed.test
    oauth:
      token_url: ${auth.tokenUrl}
      client_id: ${CLIENT_ID}
      client_secret: ${CLIENT_SECRET}
    actions:
      whoami:
`,
      integrationsDir: join(__dirname, '..', 'fixtures', 'operations'),
      operationLog: log,
    });
    await h.nango.registerConnection('oauthed', 'u1', DUE);
  });
  afterEach(async () => {
    await h?.stop();
    await auth?.stop();
  });

  it('records a refresh inside an action run, pointing at the run, with "token refreshed" and its own log line', async () => {
    const reply = await h.nango.triggerAction('oauthed', 'whoami', 'u1');
    expect(reply.returnValue).toBe('u1');
    const refresh = log.ofKind('refresh')[0];
    expect(refresh).toMatchObject({
      name: 'oauth2',
      integration: 'oauthed',
      connectionId: 'u1',
      status: 'success',
      parentId: reply.operationId,
      fields: { force: false, expiresAt: expect.any(String) },
      messages: [expect.objectContaining({ level: 'info', text: 'token refreshed' })],
    });
    expect(h.logs.find((line) => line.msg === 'oauth access token refreshed')).toMatchObject({ operationId: refresh?.id });
  });

  it('says when the token endpoint failed and was tried again', async () => {
    await auth.behave({ failNext: { status: 503, count: 1 } });
    await h.nango.triggerAction('oauthed', 'whoami', 'u1');
    const refresh = log.ofKind('refresh')[0];
    expect(refresh?.status).toBe('success');
    expect(refresh?.messages.map((message) => `${message.level} ${message.text}`)).toEqual([
      expect.stringMatching(/^warn the token endpoint failed \(HTTP 503.*\); retry 1 of 2 in \d+ ms$/),
      'info token refreshed',
    ]);
  });

  it('records a refresh token the provider rejects (invalid_grant) as a failed refresh, and the run it failed', async () => {
    await auth.revoke(DUE.refresh_token);
    const error = (await h.nango.triggerAction('oauthed', 'whoami', 'u1').catch((e: unknown) => e)) as NangoError;
    expect(error.code).toBe('connection_needs_reauthorization');
    const refresh = log.ofKind('refresh')[0];
    expect(refresh).toMatchObject({
      status: 'failed',
      parentId: error.operationId,
      fields: { failure: 'rejected' },
      error: { code: 'connection_needs_reauthorization', message: expect.stringContaining('invalid_grant') },
    });
    expect(log.get(error.operationId as string)).toMatchObject({
      kind: 'action',
      status: 'failed',
      error: { code: 'connection_needs_reauthorization' },
    });
    // The Connection is marked: the next run fails fast without asking the provider, and records no refresh.
    await h.nango.triggerAction('oauthed', 'whoami', 'u1').catch(() => undefined);
    expect(log.ofKind('refresh')).toHaveLength(1);
  });

  it('records a provider answer quoting the secrets it was sent without them', async () => {
    await auth.behave({ rejectEchoing: true });
    await h.nango.triggerAction('oauthed', 'whoami', 'u1').catch(() => undefined);
    const refresh = log.ofKind('refresh')[0];
    expect(refresh?.error?.message).toContain('[redacted]');
    for (const secret of [DUE.refresh_token, DUE.access_token, CLIENT_SECRET]) expect(log.dump()).not.toContain(secret);
  });
});
