/**
 * The background check as a worker runs it, on real time: a worker (HTTP role) whose cycle is one second, a real
 * OAuth 2 authorization server and a real webhook receiver. After a Connection is imported, nothing else is asked of
 * the worker: it finds the revoked refresh token by itself, marks the Connection, sends the webhook, counts it.
 */
import { startApi, type ApiHarness } from '../helpers/apiHarness';
import { AuthServer, CLIENT_ID, CLIENT_SECRET } from '../oauth/authServer';
import { startReceiver, type Receiver } from '../webhooks/webhookReceiver';

const KEY = 'background-test-secret-key';

describe('the worker checks credentials in the background', () => {
  let auth: AuthServer;
  let receiver: Receiver;
  let api: ApiHarness;

  beforeEach(async () => {
    auth = await AuthServer.start();
    receiver = await startReceiver();
    api = await startApi({
      yaml: `integrations:
  acme:
    auth_mode: OAUTH2
    base_url: https://api.acme.test
    oauth:
      token_url: ${auth.tokenUrl}
      client_id: ${CLIENT_ID}
      client_secret: ${CLIENT_SECRET}
`,
      secretKey: KEY,
      webhookUrl: receiver.url,
      credentialsCheckIntervalSeconds: 1,
      refreshExerciseIntervalSeconds: 2,
    });
  });

  afterEach(async () => {
    await api.stop();
    await receiver.close();
    await auth.stop();
    for (const secret of [CLIENT_SECRET, 'rt-revoked', 'rt-lasting', 'at-revoked', 'at-lasting']) {
      expect(api.rawLogs.join('\n')).not.toContain(secret);
    }
  });

  const importConnection = (connectionId: string, credentials: Record<string, unknown>) =>
    api.call('/connections', {
      method: 'POST',
      key: KEY,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        provider_config_key: 'acme',
        connection_id: connectionId,
        credentials: { type: 'OAUTH2', ...credentials },
      }),
    });

  it('finds a revoked refresh token and exercises a lasting one, with no call from the app', async () => {
    await auth.revoke('rt-revoked');
    // Expires in two hours: only the exercise (every 2 s here) brings the worker to use its refresh token.
    const expiresAt = new Date(Date.now() + 2 * 60 * 60 * 1000).toISOString();
    expect(
      (await importConnection('revoked', { access_token: 'at-revoked', refresh_token: 'rt-revoked', expires_at: expiresAt }))
        .status,
    ).toBe(201);
    expect(
      (await importConnection('lasting', { access_token: 'at-lasting', refresh_token: 'rt-lasting', expires_at: expiresAt }))
        .status,
    ).toBe(201);

    await receiver.waitFor((got) => got.some((r) => r.body.includes('"operation":"refresh"')), 20_000);
    const webhook = JSON.parse(receiver.received.find((r) => r.body.includes('"operation":"refresh"'))?.body ?? '{}');
    expect(webhook).toMatchObject({
      type: 'auth',
      operation: 'refresh',
      success: false,
      connectionId: 'revoked',
      error: { type: 'refresh_token_rejected' },
    });
    const listed = await api.call('/connections?authorization=needs_reauthorization', { key: KEY });
    expect(listed.body.connections).toMatchObject([
      { connection_id: 'revoked', errors: [{ type: 'auth', message: expect.stringContaining('invalid_grant') }] },
    ]);
    // The lasting one is exercised in the same cycle or the next.
    const deadline = Date.now() + 10_000;
    while (!(await auth.calls()).some((call) => call.refreshToken === 'rt-lasting') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // two more cycles: the revoked one is left alone
    const calls = await auth.calls();
    expect(calls.filter((call) => call.refreshToken === 'rt-revoked')).toHaveLength(1);
    expect(calls.filter((call) => call.refreshToken === 'rt-lasting')).toHaveLength(1);
    expect((await api.call('/connections/lasting?provider_config_key=acme', { key: KEY })).body.credentials).toMatchObject({
      access_token: expect.not.stringMatching(/^at-lasting$/),
    });

    const metrics = await api.call('/metrics', { key: KEY });
    expect(metrics.body).toMatch(/nango_background_credential_checks_total\{check="refresh",outcome="needs_reauthorization"\} 1/);
    expect(metrics.body).toMatch(/nango_background_credential_checks_total\{check="refresh",outcome="success"\} \d/);
  });
});
