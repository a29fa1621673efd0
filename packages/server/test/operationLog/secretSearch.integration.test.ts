/**
 * Red team: every flow that records operations is run with recognisable secrets (the secret key, an OAuth client
 * secret, the access and refresh tokens the provider issued, API keys, passwords, a token in a webhook URL's path, a
 * secret in a proxy call's query), including careless parties (an action that logs and throws its key, a provider
 * that quotes the tokens it was sent in its errors). Then everything recorded (operations, fields, messages) is
 * serialised and searched for each secret as it is, URL-encoded, in base64 and in part; and so is every span of
 * the traces the flows made (the worker traces into the SDK this test process registers).
 */
import { join } from 'node:path';
import { catalogOf } from '../helpers/apiHarness';
import { startApiServer, type ApiServer } from '../helpers/apiServer';
import { startHarness, type Harness } from '../helpers/harness';
import { startInMemoryTracing, type InMemoryTracing } from '../helpers/inMemoryTracing';
import { playFlow } from '../helpers/oauthFlow';
import { RecordingOperationLog } from '../helpers/RecordingOperationLog';
import { AuthServer, CLIENT_ID, CLIENT_SECRET } from '../oauth/authServer';
import { startReceiver, type Receiver } from '../webhooks/webhookReceiver';

jest.setTimeout(60_000);

const SECRET_KEY = 'sk-redteam-7f3a9c1e5b2d';
const SECRETS = {
  secretKey: SECRET_KEY,
  clientSecret: CLIENT_SECRET,
  apiAuthKey: 'ak-redteam-2b8d4f6a0c1e',
  password: 'pw-redteam-9e1c3a5b7d0f',
  newPassword: 'pw-redteam-new-5a7c9e1b3d',
  leakedKey: 'lk-redteam-4c6e8a0b2d9f',
  queryValue: 'qs-redteam-1a3c5e7f9b2d',
  webhookPathToken: 'wh-redteam-8b0d2f4a6c1e',
};

/** Every form a secret may take in a text: as it is, encoded for a URL, in base64 (both alphabets), and its middle. */
function formsOf(secret: string): string[] {
  const base64 = Buffer.from(secret).toString('base64');
  const middle = secret.length >= 16 ? [secret.slice(4, secret.length - 4)] : [];
  return [secret, encodeURIComponent(secret), base64.replace(/=+$/, ''), Buffer.from(secret).toString('base64url'), ...middle];
}

/** The secrets of `secrets` found in `text`, in any of their forms. */
function findings(text: string, secrets: Record<string, string>): string[] {
  return Object.entries(secrets)
    .filter(([, secret]) => formsOf(secret).some((form) => text.includes(form)))
    .map(([name]) => name);
}

describe('the secret search: nothing recorded in the operations log holds a secret', () => {
  let auth: AuthServer;
  let provider: ApiServer;
  let receiver: Receiver;
  let h: Harness;
  let log: RecordingOperationLog;
  let tracing: InMemoryTracing;
  let limited = 0;

  beforeAll(async () => {
    tracing = startInMemoryTracing();
    auth = await AuthServer.start();
    receiver = await startReceiver();
    // A careless provider: its revocation endpoint quotes what it was sent; /limited answers 429 once.
    provider = await startApiServer((request) => {
      if (request.url.startsWith('/revoke')) return { status: 400, body: { error: 'invalid_request', got: request.body } };
      if (request.url.startsWith('/limited') && limited++ === 0) return { status: 429, body: { error: 'slow down' } };
      return { body: { ok: true } };
    });
    log = new RecordingOperationLog();
    h = await startHarness({
      yaml: `
integrations:
  keyed:
    auth_mode: API_KEY
    base_url: ${provider.url}
    query_params:
      api_key: \${api_key}
    actions:
      leaks:
      calls:
  basic:
    auth_mode: USERNAME_PASSWORD
    base_url: ${provider.url}
`,
      integrationsDir: join(__dirname, '..', 'fixtures', 'operations'),
      catalog: catalogOf({
        name: 'mock',
        auth_mode: 'OAUTH2',
        authorization_url: `${auth.url}/authorize`,
        token_url: auth.tokenUrl,
        revocation_url: `${provider.url}/revoke`,
        proxy: { base_url: provider.url },
      }),
      operationLog: log,
      secretKey: SECRET_KEY,
      webhookUrl: `${receiver.url}/hooks/${SECRETS.webhookPathToken}`,
    });
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
    await provider?.close();
    await receiver?.close();
    await auth?.stop();
    await tracing?.stop();
  });

  const url = () => h.worker.httpUrl as string;
  const withKey = { authorization: `Bearer ${SECRET_KEY}`, 'content-type': 'application/json' };

  it('runs every flow with secrets, then finds none of them in any operation, field or message', async () => {
    const { nango } = h;
    const tokens: Record<string, string> = {};
    const remember = async (label: string) => {
      const got = await fetch(`${url()}/connection/o1?provider_config_key=app&refresh_token=true`, { headers: withKey });
      const { credentials } = (await got.json()) as { credentials: { access_token: string; refresh_token: string } };
      tokens[`${label}AccessToken`] = credentials.access_token;
      tokens[`${label}RefreshToken`] = credentials.refresh_token;
    };

    // OAuth 2: the flow, a refresh, and a refresh the provider refuses quoting the secrets it was sent.
    const created = await fetch(`${url()}/config`, {
      method: 'POST',
      headers: withKey,
      body: JSON.stringify({
        provider_config_key: 'app',
        provider: 'mock',
        oauth_client_id: CLIENT_ID,
        oauth_client_secret: CLIENT_SECRET,
      }),
    });
    expect(created.status).toBe(200);
    expect((await playFlow(`${url()}/oauth/connect/app?connection_id=o1`)).message.eventType).toBe('AUTHORIZATION_SUCEEDED');
    await remember('issued');
    await nango.getToken('app', 'o1', true);
    await remember('refreshed');
    await auth.behave({ rejectEchoing: true });
    await expect(nango.getToken('app', 'o1', true)).rejects.toMatchObject({ code: 'connection_needs_reauthorization' });

    // API key and basic connects through /api-auth; new credentials over RPC.
    const apiAuth = (path: string, body: unknown) =>
      fetch(`${url()}/api-auth/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await apiAuth('api-key/keyed?connection_id=a1', { apiKey: SECRETS.apiAuthKey })).status).toBe(200);
    expect((await apiAuth('basic/basic?connection_id=b1', { username: 'ann', password: SECRETS.password })).status).toBe(200);
    await nango.updateConnectionCredentials('basic', 'b1', { username: 'ann', password: SECRETS.newPassword });

    // A careless action: logs its Connection and key in every form, then throws quoting the key.
    await nango.registerConnection('keyed', 'l1', { api_key: SECRETS.leakedKey });
    await expect(nango.triggerAction('keyed', 'leaks', 'l1')).rejects.toMatchObject({ code: 'action_failed' });
    // httpRequest with the key in the query, rate limited once: the messages name the call, never its query.
    const calls = await nango.triggerAction('keyed', 'calls', 'l1', { endpoint: '/limited', times: 2 });
    expect(calls.returnValue).toEqual([429, 200]);

    // A proxy call whose query holds a secret, and one that is retried.
    const proxied = await fetch(`${url()}/proxy/data?token=${SECRETS.queryValue}`, {
      headers: { ...withKey, 'connection-id': 'l1', 'provider-config-key': 'keyed' },
    });
    expect(proxied.status).toBe(200);

    // Deleting the OAuth Connection revokes its token at a provider that quotes what it was sent.
    await nango.deleteConnection('app', 'o1');
    await log.ended('revocation');

    // Webhooks (auth ones, for every Connection made) delivered to a URL with a token in its path.
    await receiver.waitFor((received) => received.length >= 4);
    await log.ended('webhook');

    // Everything the flows were meant to record is there, so the search below reads real records.
    const kinds = new Set(log.all().map((operation) => `${operation.kind}:${operation.status}`));
    for (const kind of [
      'connect:success',
      'connection:success',
      'refresh:success',
      'refresh:failed',
      'action:failed',
      'action:success',
      'proxy:success',
      'revocation:failed',
      'webhook:success',
    ]) {
      expect(kinds).toContain(kind);
    }
    const secrets = { ...SECRETS, ...tokens };
    expect(Object.keys(tokens)).toHaveLength(4);
    const everything = log.dump();
    // The search itself finds a secret planted in what it reads.
    expect(findings(`${everything} ${Buffer.from(SECRETS.password).toString('base64')}`, secrets)).toEqual(['password']);
    expect(findings(everything, secrets)).toEqual([]);
    // Every span of every flow: names, attributes, statuses, events.
    const spans = tracing.spans();
    const has = (what: (span: (typeof spans)[number]) => boolean) => spans.some(what);
    expect(has((span) => span.attributes['http.route'] !== undefined)).toBe(true); // the HTTP API's requests
    expect(has((span) => span.name.startsWith('action '))).toBe(true);
    expect(has((span) => span.attributes['nango.token_request'] !== undefined)).toBe(true); // refresh, revocation
    expect(has((span) => span.attributes['nango.webhook.type'] !== undefined)).toBe(true);
    const traced = JSON.stringify(spans.map((span) => [span.name, span.attributes, span.status, span.events]));
    expect(findings(traced, secrets)).toEqual([]);
  });
});
