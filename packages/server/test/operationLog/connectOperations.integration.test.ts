import { join } from 'node:path';
import type { NangoError } from '@nangohq/node-client';
import type { Provider } from '../../src/providers/Provider';
import { catalogOf } from '../helpers/apiHarness';
import { startApiServer, type ApiServer } from '../helpers/apiServer';
import { startHarness, type Harness } from '../helpers/harness';
import { playFlow } from '../helpers/oauthFlow';
import { RecordingOperationLog, type RecordedOperation } from '../helpers/RecordingOperationLog';
import { AuthServer, CLIENT_ID, CLIENT_SECRET } from '../oauth/authServer';
import { CONSUMER_KEY, CONSUMER_SECRET, OAuth1Provider } from '../oauth/oauth1Provider';

const GOOD_KEY = 'the-one-good-key';
const json = { 'content-type': 'application/json' };

describe('connect flows and Connection changes in the operations log (real OAuth servers, every door)', () => {
  let auth: AuthServer;
  let oauth1: OAuth1Provider;
  /** The API-key provider's verification endpoint and the OAuth 2 provider's revocation endpoint. */
  let provider: ApiServer;
  let revokeStatus = 200;
  let h: Harness;
  let log: RecordingOperationLog;

  beforeAll(async () => {
    auth = await AuthServer.start();
    oauth1 = await OAuth1Provider.start();
    provider = await startApiServer((request) => {
      if (request.url.startsWith('/revoke')) return { status: revokeStatus, body: { error: 'nope' } };
      return request.headers['x-api-key'] === GOOD_KEY ? { body: { me: 'ok' } } : { status: 401, body: { error: 'bad key' } };
    });
    const catalog = catalogOf(
      {
        name: 'mock',
        auth_mode: 'OAUTH2',
        authorization_url: `${auth.url}/authorize`,
        token_url: auth.tokenUrl,
        revocation_url: `${provider.url}/revoke`,
        proxy: { base_url: provider.url },
      },
      { name: 'mock-consent', auth_mode: 'OAUTH2', authorization_url: `${auth.url}/consent`, token_url: auth.tokenUrl },
      {
        name: 'mock1',
        auth_mode: 'OAUTH1',
        request_url: `${oauth1.url}/request_token`,
        authorization_url: `${oauth1.url}/authorize`,
        token_url: `${oauth1.url}/access_token`,
      },
      {
        name: 'keyhub',
        auth_mode: 'API_KEY',
        proxy: {
          base_url: provider.url,
          headers: { 'X-API-Key': '${apiKey}' },
          verification: { method: 'GET', endpoints: ['/me'] },
        },
      } as Provider,
    );
    log = new RecordingOperationLog();
    h = await startHarness({
      yaml: `integrations:
  keyed:
    provider: keyhub
  basic:
    auth_mode: USERNAME_PASSWORD
    base_url: https://basic.example.test
`,
      integrationsDir: join(__dirname, '..', 'fixtures', 'operations'),
      catalog,
      operationLog: log,
    });
    for (const [key, name, id, secret] of [
      ['app', 'mock', CLIENT_ID, CLIENT_SECRET],
      ['consent', 'mock-consent', CLIENT_ID, CLIENT_SECRET],
      ['trello', 'mock1', CONSUMER_KEY, CONSUMER_SECRET],
    ] as const) {
      const created = await fetch(`${url()}/config`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ provider_config_key: key, provider: name, oauth_client_id: id, oauth_client_secret: secret }),
      });
      expect(created.status).toBe(200);
    }
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
    await provider?.close();
    await oauth1?.stop();
    await auth?.stop();
  });

  const url = () => h.worker.httpUrl as string;
  const last = (kind: RecordedOperation['kind'], where: (op: RecordedOperation) => boolean = () => true) =>
    log.ofKind(kind, where).at(-1) as RecordedOperation;

  it('records an OAuth 2 flow as one connect operation from /oauth/connect to its callback, and the Connection it made', async () => {
    const before = Date.now();
    const end = await playFlow(`${url()}/oauth/connect/app?connection_id=user-1`);
    expect(end.message.eventType).toBe('AUTHORIZATION_SUCEEDED');
    const connect = await log.ended('connect', (op) => op.connectionId === 'user-1');
    expect(connect).toMatchObject({
      name: 'oauth2',
      integration: 'app',
      status: 'success',
      error: null,
      fields: { connection: 'created' },
      messages: [expect.objectContaining({ level: 'info', text: 'the provider granted the token' })],
    });
    // It started at /oauth/connect (the time kept in the OAuth session), a request before its callback.
    expect(connect.startedAt).toBeGreaterThanOrEqual(before);
    const created = last('connection', (op) => op.parentId === connect.id);
    expect(created).toMatchObject({
      name: 'created',
      integration: 'app',
      connectionId: 'user-1',
      status: 'success',
      fields: { authMode: 'OAUTH2' },
    });
    expect(created.startedAt).toBeGreaterThan(connect.startedAt);

    // A second flow for the same user replaces its credentials: an update.
    await playFlow(`${url()}/oauth/connect/app?connection_id=user-1`);
    const again = await log.ended('connect', (op) => op.connectionId === 'user-1' && op.id !== connect.id);
    expect(again.fields).toEqual({ connection: 'updated' });
    expect(last('connection', (op) => op.parentId === again.id)).toMatchObject({
      name: 'updated',
      fields: { change: 'credentials', authMode: 'OAUTH2' },
    });
  });

  it('classifies failed flows: a user saying no is cancelled, an unknown integration or state failed', async () => {
    const started = await fetch(`${url()}/oauth/connect/consent?connection_id=user-2`, { redirect: 'manual' });
    const page = await (await fetch(started.headers.get('location') as string)).text();
    const deny = /id="deny" href="([^"]+)"/.exec(page)?.[1]?.replace(/&#38;/g, '&') as string;
    await playFlow(deny);
    expect(await log.ended('connect', (op) => op.connectionId === 'user-2')).toMatchObject({
      name: 'oauth2',
      integration: 'consent',
      status: 'cancelled',
      error: { code: 'callback_err', message: expect.stringContaining('access_denied') },
    });

    await playFlow(`${url()}/oauth/connect/nope?connection_id=user-3`);
    expect(await log.ended('connect', (op) => op.connectionId === 'user-3')).toMatchObject({
      name: 'oauth',
      integration: 'nope',
      status: 'failed',
      error: { code: 'unknown_config_key' },
    });

    await playFlow(`${url()}/oauth/connect/app`);
    expect(last('connect')).toMatchObject({ integration: 'app', status: 'failed', error: { code: 'missing_connection_id' } });

    await fetch(`${url()}/oauth/callback?state=forged&code=x`);
    expect(last('connect')).toMatchObject({ name: 'oauth', integration: null, status: 'failed', error: { code: 'state_err' } });
  });

  it('records an OAuth 1.0a flow', async () => {
    const end = await playFlow(`${url()}/oauth/connect/trello?connection_id=user-4`);
    expect(end.message.eventType).toBe('AUTHORIZATION_SUCEEDED');
    expect(await log.ended('connect', (op) => op.connectionId === 'user-4')).toMatchObject({
      name: 'oauth1',
      integration: 'trello',
      status: 'success',
    });
  });

  it('records /api-auth connects: verified at the provider, refused by it, or refused here', async () => {
    const session = await fetch(`${url()}/connect/sessions`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ end_user: { id: 'eu-5', email: 'ann@example.test' } }),
    });
    expect(session.status).toBe(201);
    const { token } = ((await session.json()) as { data: { token: string } }).data;
    const good = await fetch(`${url()}/api-auth/api-key/keyed?connect_session_token=${token}`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ apiKey: GOOD_KEY }),
    });
    expect(good.status).toBe(200);
    const { connectionId } = (await good.json()) as { connectionId: string };
    const connect = last('connect', (op) => op.connectionId === connectionId);
    expect(connect).toMatchObject({
      name: 'api_key',
      integration: 'keyed',
      endUserId: 'eu-5',
      status: 'success',
      messages: [expect.objectContaining({ text: 'the provider accepted the credentials at its verification endpoint' })],
    });
    expect(last('connection', (op) => op.parentId === connect.id)).toMatchObject({
      name: 'created',
      endUserId: 'eu-5',
      fields: { authMode: 'API_KEY' },
    });

    const bad = await fetch(`${url()}/api-auth/api-key/keyed?connection_id=user-6`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ apiKey: 'a-wrong-key' }),
    });
    expect(bad.status).toBe(400);
    expect(last('connect', (op) => op.connectionId === 'user-6')).toMatchObject({
      name: 'api_key',
      status: 'failed',
      error: { code: 'connection_test_failed', message: expect.stringContaining('401') },
    });

    const noPassword = await fetch(`${url()}/api-auth/basic/basic?connection_id=user-7`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ username: 'ann' }),
    });
    expect(noPassword.status).toBe(400);
    expect(last('connect', (op) => op.connectionId === 'user-7')).toMatchObject({
      name: 'basic',
      integration: 'basic',
      status: 'failed',
      error: { code: 'invalid_credentials' },
    });
  });

  it('records changes to Connections over HTTP, and a deletion with its token revocation', async () => {
    await playFlow(`${url()}/oauth/connect/app?connection_id=user-8`);
    const patched = await fetch(`${url()}/connections/user-8?provider_config_key=app`, {
      method: 'PATCH',
      headers: json,
      body: JSON.stringify({ tags: { plan: 'pro' }, end_user: { id: 'eu-8' } }),
    });
    expect(patched.status).toBe(200);
    expect(last('connection', (op) => op.connectionId === 'user-8')).toMatchObject({
      name: 'updated',
      endUserId: 'eu-8',
      status: 'success',
      fields: { change: 'attributes' },
    });
    const metadata = await fetch(`${url()}/connections/metadata`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ connection_id: 'user-8', provider_config_key: 'app', metadata: { team: 'blue' } }),
    });
    expect(metadata.status).toBe(201);
    expect(last('connection', (op) => op.connectionId === 'user-8')).toMatchObject({ fields: { change: 'metadata' } });

    const deleted = await fetch(`${url()}/connections/user-8?provider_config_key=app`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    const deletion = last('connection', (op) => op.connectionId === 'user-8');
    expect(deletion).toMatchObject({ name: 'deleted', status: 'success' });
    expect(last('revocation', (op) => op.parentId === deletion.id)).toMatchObject({
      name: 'mock',
      integration: 'app',
      connectionId: 'user-8',
      status: 'success',
      fields: { revoked: true, status: 200 },
    });

    // The provider refuses: the Connection is deleted all the same, the revocation failed.
    await playFlow(`${url()}/oauth/connect/app?connection_id=user-9`);
    revokeStatus = 500;
    try {
      expect((await fetch(`${url()}/connections/user-9?provider_config_key=app`, { method: 'DELETE' })).status).toBe(200);
    } finally {
      revokeStatus = 200;
    }
    expect(last('revocation', (op) => op.connectionId === 'user-9')).toMatchObject({
      status: 'failed',
      fields: { revoked: false },
      error: { code: 'revocation_failed', message: expect.stringContaining('HTTP 500') },
    });
  });

  it('records changes to Connections over RPC, failed ones with their error', async () => {
    const { nango } = h;
    const reject = (call: Promise<unknown>) =>
      call.then(
        () => undefined,
        (e: unknown) => e as NangoError,
      );
    await nango.registerConnection('basic', 'r-1', { username: 'ann', password: 'pw-1' });
    expect(last('connection', (op) => op.connectionId === 'r-1')).toMatchObject({ name: 'created', status: 'success' });
    expect(await reject(nango.registerConnection('basic', 'r-1', { username: 'ann', password: 'pw-1' }))).toMatchObject({
      code: 'connection_exists',
    });
    expect(last('connection', (op) => op.connectionId === 'r-1')).toMatchObject({
      name: 'created',
      status: 'failed',
      error: { code: 'connection_exists' },
    });
    await nango.updateConnectionCredentials('basic', 'r-1', { username: 'ann', password: 'pw-2' });
    expect(last('connection', (op) => op.connectionId === 'r-1')).toMatchObject({ fields: { change: 'credentials' } });
    await nango.updateConnectionConfig('basic', 'r-1', { region: 'eu' });
    expect(last('connection', (op) => op.connectionId === 'r-1')).toMatchObject({ fields: { change: 'config' } });

    // All or none: one missing Connection and neither changes; each is recorded failed.
    expect(await reject(nango.setMetadata('basic', ['r-1', 'r-missing'], { a: 1 }))).toMatchObject({
      code: 'connection_not_found',
    });
    for (const userId of ['r-1', 'r-missing']) {
      expect(last('connection', (op) => op.connectionId === userId)).toMatchObject({
        fields: { change: 'metadata' },
        status: 'failed',
        error: { code: 'connection_not_found' },
      });
    }
    await nango.deleteConnection('basic', 'r-1');
    expect(last('connection', (op) => op.connectionId === 'r-1')).toMatchObject({ name: 'deleted', status: 'success' });
    // No revocation for a Connection whose provider has no revocation endpoint.
    expect(log.ofKind('revocation', (op) => op.connectionId === 'r-1')).toEqual([]);
  });
});
