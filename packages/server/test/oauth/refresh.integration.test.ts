/**
 * OAuth 2 refresh end to end: the client calls actions over the real broker, the worker refreshes the Connection's
 * token against a real OAuth 2 authorization server (oauth2-mock-server) before running them, and the action
 * reports which access token it was given.
 */
import { join } from 'node:path';
import { NangoError } from '@nangohq/node-client';
import { startHarness, type Harness } from '../helpers/harness';
import { AuthServer, CLIENT_ID, CLIENT_SECRET } from './authServer';

jest.setTimeout(30_000);

const OLD = { access_token: 'old-access-token', refresh_token: 'old-refresh-token' };

let auth: AuthServer;
let h: Harness;

beforeEach(async () => {
  auth = await AuthServer.start();
  // The client secret comes from the environment, as integrations.yaml is meant to be written.
  process.env['ACME_CLIENT_SECRET'] = CLIENT_SECRET;
  h = await startHarness({ yaml: yaml(auth.tokenUrl), integrationsDir: join(__dirname, 'fixtures') });
});

afterEach(async () => {
  await h.stop();
  await auth.stop();
  delete process.env['ACME_CLIENT_SECRET'];
  const logs = h.rawLogs.join('\n');
  for (const secret of [...Object.values(OLD), CLIENT_SECRET]) expect(logs).not.toContain(secret);
});

function yaml(tokenUrl: string): string {
  return `
integrations:
  acme:
    auth_mode: OAUTH2
    base_url: https://api.acme.test
    oauth:
      token_url: ${tokenUrl}
      client_id: ${CLIENT_ID}
      client_secret: \${ACME_CLIENT_SECRET}
    actions:
      currentToken:
`;
}

/** The access token the action was given. */
async function tokenUsed(): Promise<string> {
  const result = await h.nango.triggerAction<{ accessToken: string }>('acme', 'currentToken', 'u1');
  return result.returnValue?.accessToken ?? 'no token';
}

/** The error a call rejects with. */
async function rejection(call: Promise<unknown>): Promise<NangoError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NangoError);
  return error as NangoError;
}

it('refreshes a token that expires within the margin before the action runs; the action sees the new one', async () => {
  await h.nango.registerConnection('acme', 'u1', { ...OLD, expires_in: 120 });
  const used = await tokenUsed();
  expect(used).not.toBe(OLD.access_token);
  expect(await auth.calls()).toEqual([
    {
      grantType: 'refresh_token',
      refreshToken: OLD.refresh_token,
      clientId: CLIENT_ID,
      clientAuth: 'body',
      at: expect.any(Number),
    },
  ]);
  // Valid for an hour now: the next run uses it as it is.
  await expect(tokenUsed()).resolves.toBe(used);
  expect(await auth.calls()).toHaveLength(1);
});

it('marks a Connection whose refresh token was revoked, and fails fast afterwards', async () => {
  await auth.revoke(OLD.refresh_token);
  await h.nango.registerConnection('acme', 'u1', { ...OLD, expires_in: 120 });
  const error = await rejection(tokenUsed());
  expect(error.code).toBe('connection_needs_reauthorization');
  expect(error.retryable).toBe(false);
  expect(error.errorMsg).toContain('invalid_grant: Token has been expired or revoked.');
  const listed = await h.nango.getConnectionsForUserId('u1');
  expect(listed.returnValue?.[0]).toMatchObject({
    authorization: 'needs_reauthorization',
    authorizationError: 'invalid_grant: Token has been expired or revoked.',
  });
  const again = await rejection(tokenUsed());
  expect(again.code).toBe('connection_needs_reauthorization');
  expect(await auth.calls()).toHaveLength(1);
  // The user authorised again: new credentials clear the mark.
  await h.nango.updateConnectionCredentials('acme', 'u1', {
    access_token: 'reauthorised',
    refresh_token: 'r2',
    expires_in: 3600,
  });
  await expect(tokenUsed()).resolves.toBe('reauthorised');
  expect((await h.nango.getConnectionsForUserId('u1')).returnValue?.[0]?.authorization).toBe('ok');
});

it('retries a provider answering 503, then reports a retryable token_refresh_failed and cools down', async () => {
  await auth.behave({ failNext: { status: 503, count: 100 } });
  await h.nango.registerConnection('acme', 'u1', { ...OLD, expires_at: new Date(Date.now() - 1_000) });
  const error = await rejection(tokenUsed());
  expect(error.code).toBe('token_refresh_failed');
  expect(error.retryable).toBe(true);
  expect(error.errorMsg).toContain('HTTP 503');
  expect(await auth.calls()).toHaveLength(3);
  // During the cool-down the provider is left alone.
  expect((await rejection(tokenUsed())).code).toBe('token_refresh_failed');
  expect(await auth.calls()).toHaveLength(3);
});

it('keeps the old refresh token when the refresh response has none', async () => {
  // 60 s tokens are inside the 900 s margin: every run refreshes, with whatever refresh token is stored.
  await auth.behave({ omitRefreshToken: true, expiresIn: 60 });
  await h.nango.registerConnection('acme', 'u1', { ...OLD, expires_in: 60 });
  await expect(tokenUsed()).resolves.not.toBe(OLD.access_token);
  await expect(tokenUsed()).resolves.not.toBe(OLD.access_token);
  expect((await auth.calls()).map((call) => call.refreshToken)).toEqual([OLD.refresh_token, OLD.refresh_token]);
});
