import { generateKeyPairSync } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Provider } from '../../src/providers/Provider';
import { catalogOf } from '../helpers/apiHarness';
import { startHarness, waitFor, type Harness } from '../helpers/harness';
import { startClientCredentialsMock, type ClientCredentialsMock } from './clientCredentialsMock';

const SECRET = 'cc-test-secret-key';
const USER_CLIENT = { id: 'ann-client', secret: 'ann-client-secret-1234' };
const PLATFORM_CLIENT = { id: 'platform-client', secret: 'platform-secret-5678' };
const FIXTURES = join(__dirname, '..', 'fixtures', 'authModes');

interface ConnectionReply {
  credentials: Record<string, unknown>;
  connection_config: Record<string, unknown>;
}

/**
 * OAuth 2 client credentials end to end against a local authorization server that checks the client's Basic header,
 * body fields or private_key_jwt assertion (with jose, apart from our signer): Connections made through POST
 * /oauth2/auth and RPC registerConnection, an action, a proxy call and a sync reading with the token, the token
 * fetched again before it expires, and bad input refused with nothing stored.
 */
describe('OAUTH2_CC (client credentials)', () => {
  let mock: ClientCredentialsMock;
  let dir: string;
  let h: Harness;
  let url: string;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = JSON.stringify({ ...privateKey.export({ format: 'jwk' }), kid: 'key-1' });

  beforeAll(async () => {
    mock = await startClientCredentialsMock();
    mock.clients.set(USER_CLIENT.id, { secret: USER_CLIENT.secret });
    mock.clients.set(PLATFORM_CLIENT.id, { secret: PLATFORM_CLIENT.secret });
    mock.clients.set('okta-client', { publicKey });
    dir = mkdtempSync(join(tmpdir(), 'nango-cc-'));
    for (const integration of ['acme', 'platform']) {
      mkdirSync(join(dir, integration));
      cpSync(join(FIXTURES, 'call.action.ts'), join(dir, integration, 'call.action.ts'));
      cpSync(join(FIXTURES, 'items.sync.ts'), join(dir, integration, 'items.sync.ts'));
    }
    const catalog = catalogOf(
      {
        name: 'acme-cc',
        display_name: 'Acme (client credentials, local)',
        auth_mode: 'OAUTH2_CC',
        token_url: `${mock.url}/\${connectionConfig.tenant}/oauth/token`,
        token_params: { grant_type: 'client_credentials', audience: '${connectionConfig.audience}' },
        token_request_auth_method: 'basic',
        connection_config: {
          tenant: { type: 'string', title: 'Tenant', pattern: '^[a-z0-9-]+$' },
          audience: { type: 'string', title: 'Audience' },
        },
        credentials: { client_id: { type: 'string', title: 'Client ID' }, client_secret: { type: 'string', secret: true } },
        proxy: { base_url: `${mock.url}/api` },
      } as Provider,
      {
        name: 'platform-cc',
        auth_mode: 'OAUTH2_CC',
        token_url: `${mock.url}/oauth/token`,
        token_params: { grant_type: 'client_credentials' },
        body_format: 'json',
        proxy: { base_url: `${mock.url}/api`, headers: { 'x-api-token': 'Token ${accessToken}' } },
      } as Provider,
      {
        name: 'salesforce-local',
        auth_mode: 'OAUTH2_CC',
        token_url: `${mock.url}/oauth/token`,
        token_params: { grant_type: 'client_credentials' },
        token_response_metadata: ['instance_url', 'org.id', 'absent'],
        proxy: { base_url: `${mock.url}/api` },
      } as Provider,
      {
        name: 'okta-local',
        auth_mode: 'OAUTH2_CC',
        token_url: `${mock.url}/oauth/token`,
        token_params: { grant_type: 'client_credentials' },
        token_request_auth_method: 'private_key_jwt',
        proxy: { base_url: `${mock.url}/api` },
      } as Provider,
    );
    h = await startHarness({
      yaml: `
integrations:
  acme:
    provider: acme-cc
    syncs:
      items:
        models:
          Item: { type: object, properties: { id: { type: string }, name: { type: string } }, required: [id, name] }
  platform:
    provider: platform-cc
    oauth:
      client_id: ${PLATFORM_CLIENT.id}
      client_secret: ${PLATFORM_CLIENT.secret}
  salesforce:
    provider: salesforce-local
    oauth:
      client_id: ${PLATFORM_CLIENT.id}
      client_secret: ${PLATFORM_CLIENT.secret}
`,
      integrationsDir: dir,
      catalog,
      port: 0,
      secretKey: SECRET,
      syncTickMs: 100,
    });
    url = h.worker.httpUrl as string;
  }, 30_000);

  afterAll(async () => {
    await h?.stop();
    await mock?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const withKey = { authorization: `Bearer ${SECRET}` };
  const auth = (key: string, query: string, body: unknown) =>
    fetch(`${url}/oauth2/auth/${key}?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const connection = async (id: string, key = 'acme') => {
    const reply = await fetch(`${url}/connection/${id}?provider_config_key=${key}`, { headers: withKey });
    return { status: reply.status, body: (await reply.json()) as ConnectionReply };
  };
  const acmeQuery = (id: string) => `connection_id=${id}&params%5Btenant%5D=t1&params%5Baudience%5D=https%3A%2F%2Fapi.acme.test`;

  it("makes a Connection from POST /oauth2/auth with the user's client, authenticated by Basic, and stores Nango's shape", async () => {
    mock.audience = 'https://api.acme.test';
    const reply = await auth('acme', acmeQuery('ann'), { client_id: USER_CLIENT.id, client_secret: USER_CLIENT.secret });
    mock.audience = undefined;
    expect(await reply.json()).toEqual({ connectionId: 'ann', providerConfigKey: 'acme' });
    const tokenCall = mock.requests.find((request) => request.url === '/t1/oauth/token');
    expect(tokenCall?.headers.authorization).toMatch(/^Basic /);
    expect(new URLSearchParams(tokenCall?.body).get('client_secret')).toBeNull();
    const { credentials } = (await connection('ann')).body;
    expect(credentials).toMatchObject({
      type: 'OAUTH2_CC',
      token: `tok-${USER_CLIENT.id}-1`,
      client_id: USER_CLIENT.id,
      client_secret: USER_CLIENT.secret,
    });
    expect(Date.parse(String(credentials['expires_at']))).toBeGreaterThan(Date.now() + 3_000_000);
    expect(credentials['raw']).toMatchObject({ access_token: `tok-${USER_CLIENT.id}-1`, expires_in: 3600 });
  });

  it("imports a Connection through POST /connections in Nango's OAUTH2_CC shape, its token fetched anew with its client", async () => {
    mock.audience = 'https://api.acme.test';
    const reply = await fetch(`${url}/connections`, {
      method: 'POST',
      headers: { ...withKey, 'content-type': 'application/json' },
      body: JSON.stringify({
        provider_config_key: 'acme',
        connection_id: 'imported',
        connection_config: { tenant: 't1', audience: 'https://api.acme.test' },
        credentials: {
          type: 'OAUTH2_CC',
          token: 'token-from-elsewhere',
          expires_at: '2030-01-01T00:00:00.000Z',
          client_id: USER_CLIENT.id,
          client_secret: USER_CLIENT.secret,
        },
      }),
    });
    mock.audience = undefined;
    expect(reply.status).toBe(201);
    const { credentials } = (await connection('imported')).body;
    expect(credentials).toMatchObject({ type: 'OAUTH2_CC', client_id: USER_CLIENT.id, client_secret: USER_CLIENT.secret });
    expect(credentials['token']).toMatch(new RegExp(`^tok-${USER_CLIENT.id}-`));
    expect(Date.parse(String(credentials['expires_at']))).toBeLessThan(Date.parse('2030-01-01'));
    const malformed = await fetch(`${url}/connections`, {
      method: 'POST',
      headers: { ...withKey, 'content-type': 'application/json' },
      body: JSON.stringify({
        provider_config_key: 'acme',
        connection_id: 'bad',
        credentials: { type: 'OAUTH2_CC', client_id: 7 },
      }),
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { message: string } }).error.message).toContain(
      'body/credentials: Credentials for acme (OAUTH2_CC): client_id must be a string',
    );
    expect((await connection('bad')).status).toBe(404);
  });

  it('puts Bearer <token> on an action httpRequest and a proxy call', async () => {
    const result = await h.nango.triggerAction('acme', 'call', 'ann', { endpoint: '/reports' });
    expect(result.returnValue).toMatchObject({ ok: true, status: 200, body: { items: [{ id: 'c-1' }] } });
    const proxied = await fetch(`${url}/proxy/reports`, {
      headers: { ...withKey, 'Connection-Id': 'ann', 'Provider-Config-Key': 'acme' },
    });
    expect(proxied.status).toBe(200);
    expect(mock.requests.at(-1)?.headers.authorization).toBe(`Bearer tok-${USER_CLIENT.id}-1`);
    expect(mock.refusals).toEqual([]);
  });

  it('runs the sync of a new Connection with the token', async () => {
    const records = async () => {
      const reply = await fetch(`${url}/records?model=Item`, {
        headers: { ...withKey, 'Connection-Id': 'ann', 'Provider-Config-Key': 'acme' },
      });
      return ((await reply.json()) as { records: { id: string }[] }).records;
    };
    await waitFor(async () => (await records()).length === 1, 20_000, 'the sync to save the item');
    expect((await records())[0]).toMatchObject({ id: 'c-1', name: 'client report' });
    expect(mock.refusals).toEqual([]);
  }, 30_000);

  it('fetches a new token before the old one expires, and uses it', async () => {
    mock.expiresInS = 901; // due within the refresh margin (900 s) a second after it is issued
    expect((await auth('acme', acmeQuery('bob'), { client_id: USER_CLIENT.id, client_secret: USER_CLIENT.secret })).status).toBe(
      200,
    );
    mock.expiresInS = 3600;
    const first = (await connection('bob')).body.credentials;
    const issued = mock.issued;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const result = await h.nango.triggerAction('acme', 'call', 'bob', { endpoint: '/reports' });
    expect(result.returnValue).toMatchObject({ ok: true, status: 200 });
    expect(mock.issued).toBe(issued + 1);
    const second = (await connection('bob')).body.credentials;
    expect(second['token']).not.toBe(first['token']);
    expect(second['client_secret']).toBe(USER_CLIENT.secret); // kept for the next fetch
    expect(mock.requests.at(-1)?.headers.authorization).toBe(`Bearer ${String(second['token'])}`);
    expect(mock.refusals).toEqual([]);
  }, 30_000);

  it('refuses a client the provider refuses, storing nothing and quoting no secret', async () => {
    const before = mock.refusals.length;
    const reply = await auth('acme', acmeQuery('carol'), { client_id: USER_CLIENT.id, client_secret: 'wrong-secret-value' });
    expect(reply.status).toBe(400);
    const body = (await reply.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid_credentials');
    expect(body.error.message).toContain('HTTP 401');
    expect(mock.refusals.slice(before)).toEqual([`Basic: bad client ${USER_CLIENT.id}`]);
    mock.refusals.length = before;
    expect((await connection('carol')).status).toBe(404);
    expect(JSON.stringify(body) + h.rawLogs.join('\n')).not.toContain('wrong-secret-value');
  });

  it('refuses a missing client id and a tenant outside its pattern before any token request', async () => {
    const issued = mock.requests.length;
    const noId = await auth('acme', acmeQuery('dave'), { client_secret: USER_CLIENT.secret });
    expect(((await noId.json()) as { error: { message: string } }).error.message).toContain(
      'client_id is required with client_secret',
    );
    const badTenant = await auth('acme', 'connection_id=dave&params%5Btenant%5D=..%2Fevil&params%5Baudience%5D=x', {
      client_id: USER_CLIENT.id,
      client_secret: USER_CLIENT.secret,
    });
    expect(((await badTenant.json()) as { error: { code: string } }).error.code).toBe('invalid_connection_config');
    expect(mock.requests.length).toBe(issued);
    expect((await connection('dave')).status).toBe(404);
  });

  it("registers a Connection over RPC with the integration's own client, sent as JSON, the token where the catalog puts it", async () => {
    await h.nango.registerConnection('platform', 'erin', {} as never);
    const tokenCall = mock.requests.at(-1);
    expect(tokenCall?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(tokenCall?.body ?? '{}')).toMatchObject({
      client_id: PLATFORM_CLIENT.id,
      client_secret: PLATFORM_CLIENT.secret,
    });
    const { credentials } = (await connection('erin', 'platform')).body;
    expect(credentials).toMatchObject({ type: 'OAUTH2_CC', client_id: PLATFORM_CLIENT.id });
    expect(credentials['client_secret']).toBeUndefined(); // the integration's secret stays the integration's
    const result = await h.nango.triggerAction('platform', 'call', 'erin', { endpoint: '/reports' });
    expect(result.returnValue).toMatchObject({ ok: true, status: 200 });
    const call = mock.requests.at(-1);
    expect(call?.headers['x-api-token']).toBe(`Token ${String(credentials['token'])}`);
    expect(call?.headers.authorization).toBeUndefined();
    expect(mock.refusals).toEqual([]);
  });

  it("copies the token answer's token_response_metadata fields into the Connection's config, at every door", async () => {
    mock.answerExtra = { instance_url: 'https://acme.my.salesforce.test', org: { id: '00D-acme' } };
    try {
      await h.nango.registerConnection('salesforce', 'rpc', {} as never, { instance_url: 'typed-by-the-user' } as never);
      const viaImport = await fetch(`${url}/connections`, {
        method: 'POST',
        headers: { ...withKey, 'content-type': 'application/json' },
        body: JSON.stringify({
          provider_config_key: 'salesforce',
          connection_id: 'imported',
          credentials: { type: 'OAUTH2_CC' },
        }),
      });
      expect(viaImport.status).toBe(201);
      const viaRoute = await auth('salesforce', 'connection_id=route', {});
      expect(viaRoute.status).toBe(200);
    } finally {
      mock.answerExtra = {};
    }
    for (const id of ['rpc', 'imported', 'route']) {
      const config = (await connection(id, 'salesforce')).body.connection_config;
      expect(config).toEqual({ instance_url: 'https://acme.my.salesforce.test', 'org.id': '00D-acme' });
    }
  });

  it("updates the config's token_response_metadata fields when updateConnectionCredentials fetches a new token", async () => {
    mock.answerExtra = { instance_url: 'https://before.my.salesforce.test' };
    try {
      await h.nango.registerConnection('salesforce', 'moved', {} as never, { region: 'eu' } as never);
      mock.answerExtra = { instance_url: 'https://after.my.salesforce.test', org: { id: '00D-after' } };
      await h.nango.updateConnectionCredentials('salesforce', 'moved', {} as never);
    } finally {
      mock.answerExtra = {};
    }
    const config = (await connection('moved', 'salesforce')).body.connection_config;
    expect(config).toEqual({ region: 'eu', instance_url: 'https://after.my.salesforce.test', 'org.id': '00D-after' });
  });

  it("updates the config's token_response_metadata fields when the token is fetched again before it expires", async () => {
    mock.expiresInS = 901; // due within the refresh margin (900 s) a second after it is issued
    mock.answerExtra = { instance_url: 'https://old.my.salesforce.test' };
    try {
      await h.nango.registerConnection('salesforce', 'refetched', {} as never, { region: 'eu' } as never);
      mock.expiresInS = 3600;
      mock.answerExtra = { instance_url: 'https://new.my.salesforce.test', org: { id: '00D-new' } };
      const issued = mock.issued;
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await h.nango.getToken('salesforce', 'refetched');
      expect(mock.issued).toBe(issued + 1);
    } finally {
      mock.expiresInS = 3600;
      mock.answerExtra = {};
    }
    const config = (await connection('refetched', 'salesforce')).body.connection_config;
    expect(config).toEqual({ region: 'eu', instance_url: 'https://new.my.salesforce.test', 'org.id': '00D-new' });
  }, 30_000);

  it('signs a private_key_jwt assertion (RFC 7523) with the Connection key, for a run-time integration', async () => {
    const created = await fetch(`${url}/integrations`, {
      method: 'POST',
      headers: { ...withKey, 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'okta-local', unique_key: 'okta' }),
    });
    expect(created.status).toBe(200);
    const bad = await auth('okta', 'connection_id=fay', { client_id: 'okta-client', client_private_key: '{"kty":"RSA"}' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain(
      'client_private_key must be a private key: a PEM (-----BEGIN PRIVATE KEY-----) or a private JWK as JSON',
    );
    const reply = await auth('okta', 'connection_id=fay', { client_id: 'okta-client', client_private_key: jwk });
    expect(await reply.json()).toEqual({ connectionId: 'fay', providerConfigKey: 'okta' });
    const assertion = new URLSearchParams(mock.requests.at(-1)?.body).get('client_assertion') ?? '';
    expect(JSON.parse(Buffer.from(assertion.split('.')[0] ?? '', 'base64url').toString())).toMatchObject({
      alg: 'RS256',
      kid: 'key-1',
    });
    const proxied = await fetch(`${url}/proxy/reports`, {
      headers: { ...withKey, 'Connection-Id': 'fay', 'Provider-Config-Key': 'okta' },
    });
    expect(proxied.status).toBe(200);
    expect(mock.refusals).toEqual([]);
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const withPem = await auth('okta', 'connection_id=gus', { client_id: 'okta-client', client_private_key: pem });
    expect(withPem.status).toBe(200);
    expect(h.rawLogs.join('\n')).not.toContain(pem.split('\n')[1]);
  });

  it('has a local authorization server that refuses an assertion signed by another key', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' });
    const before = mock.refusals.length;
    const reply = await auth('okta', 'connection_id=hal', { client_id: 'okta-client', client_private_key: other.toString() });
    expect(reply.status).toBe(400);
    expect(mock.refusals.slice(before)).toEqual(['assertion: signature verification failed']);
    mock.refusals.length = before;
  });
});
