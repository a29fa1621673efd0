import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Provider } from '../../src/providers/Provider';
import { catalogOf } from '../helpers/apiHarness';
import { startHarness, type Harness } from '../helpers/harness';
import { playFlow } from '../helpers/oauthFlow';
import { RecordingOperationLog } from '../helpers/RecordingOperationLog';

const json = { 'content-type': 'application/json' };
const CLIENT_ID = 'tenant-client';
const CLIENT_SECRET = 'tenant-secret-never-logged';

/** One request the tenant provider got. */
interface Seen {
  method: string;
  path: string;
  authorization: string | undefined;
  body: string;
}

/**
 * A provider with one host and a path per tenant (a real one puts the tenant in the host; a test cannot resolve
 * names): `/t/<tenant>/authorize` redirects back with a code and `realmId`, `/t/<tenant>/token` checks the client and
 * answers a token with `instance_url` and `team.id`, `/resources` lists the user's sites (the post-connection
 * request; the `broken` tenant's token gets a 500), and `/api/<tenant>/…` is the API.
 */
async function startTenantProvider(): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://provider');
      const body = Buffer.concat(chunks).toString();
      seen.push({ method: req.method ?? '', path: url.pathname, authorization: req.headers.authorization, body });
      const send = (status: number, payload: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
      const authorize = /^\/t\/([a-z0-9-]+)\/authorize$/.exec(url.pathname);
      if (authorize) {
        const back = new URL(url.searchParams.get('redirect_uri') ?? '');
        back.searchParams.set('code', `code-${authorize[1]}`);
        back.searchParams.set('state', url.searchParams.get('state') ?? '');
        back.searchParams.set('realmId', 'realm-42');
        return res.writeHead(302, { location: back.href }).end();
      }
      const token = /^\/t\/([a-z0-9-]+)\/token$/.exec(url.pathname);
      if (token) {
        const form = new URLSearchParams(body);
        if (form.get('client_id') !== CLIENT_ID || form.get('client_secret') !== CLIENT_SECRET) {
          return send(401, { error: 'invalid_client' });
        }
        if (form.get('code') !== `code-${token[1]}`) return send(400, { error: 'invalid_grant' });
        return send(200, {
          access_token: `at-${token[1]}`,
          token_type: 'bearer',
          expires_in: 3600,
          instance_url: `https://${token[1]}.example.test`,
          team: { id: 'T-7', name: 'Team' },
        });
      }
      if (url.pathname === '/resources') {
        if (req.headers.authorization === 'Bearer at-broken') return send(500, { error: 'down' });
        return send(200, [{ id: `cloud-of-${req.headers.authorization?.slice('Bearer at-'.length)}`, url: 'https://site' }]);
      }
      if (url.pathname.startsWith('/api/')) return send(200, { path: url.pathname });
      send(404, { error: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('per-tenant fields: asked, checked at every door before any request, filled into URLs; provider values kept', () => {
  let provider: Awaited<ReturnType<typeof startTenantProvider>>;
  let h: Harness;
  let log: RecordingOperationLog;
  const url = () => h.worker.httpUrl as string;

  beforeAll(async () => {
    provider = await startTenantProvider();
    const tenant = {
      type: 'string',
      title: 'Tenant',
      description: 'The part of your address before .example.test',
      pattern: '^[a-z0-9-]+$',
      example: 'acme',
    };
    const catalog = catalogOf(
      {
        name: 'tenant-oauth',
        display_name: 'Tenant OAuth',
        auth_mode: 'OAUTH2',
        authorization_url: `${provider.url}/t/\${connectionConfig.tenant}/authorize`,
        token_url: `${provider.url}/t/\${connectionConfig.tenant}/token`,
        disable_pkce: true,
        token_response_metadata: ['instance_url', 'team.id'],
        redirect_uri_metadata: ['realmId'],
        connection_config: { tenant, instance_url: { type: 'string', title: 'Instance', automated: true } },
        proxy: { base_url: `${provider.url}/api/\${connectionConfig.tenant}` },
        post_connection: { base_url: provider.url, endpoint: '/resources', store: { cloudId: '[0].id' } },
      } as Provider,
      {
        name: 'tenant-key',
        display_name: 'Tenant Key',
        auth_mode: 'API_KEY',
        connection_config: { tenant },
        proxy: { base_url: `${provider.url}/api/\${connectionConfig.tenant}`, headers: { 'x-key': '${apiKey}' } },
      } as Provider,
      {
        name: 'tenant-basic',
        auth_mode: 'BASIC',
        connection_config: { tenant, region: { type: 'string', title: 'Region', enum: ['us', 'eu'], default_value: 'us' } },
        proxy: { base_url: `${provider.url}/api/\${connectionConfig.tenant}` },
      } as Provider,
    );
    log = new RecordingOperationLog();
    h = await startHarness({
      yaml: 'integrations:\n  keyed:\n    provider: tenant-key\n  basic:\n    provider: tenant-basic\n',
      catalog,
      operationLog: log,
      port: 0,
    });
    const created = await fetch(`${url()}/config`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        provider_config_key: 'tenanted',
        provider: 'tenant-oauth',
        oauth_client_id: CLIENT_ID,
        oauth_client_secret: CLIENT_SECRET,
      }),
    });
    expect(created.status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
    await provider?.close();
  });

  /** The Connection's config, or undefined when it was not stored. */
  async function stored(integration: string, userId: string): Promise<Record<string, unknown> | undefined> {
    try {
      return (await h.nango.getConnection(integration, userId)).returnValue?.additionalConfig;
    } catch (error) {
      if ((error as { code?: string }).code === 'connection_not_found') return undefined;
      throw error;
    }
  }

  it('/oauth/connect refuses a value outside its pattern, and a missing one, before any redirect: the provider hears nothing', async () => {
    const before = provider.seen.length;
    const bad = await playFlow(`${url()}/oauth/connect/tenanted?connection_id=u-bad&params[tenant]=Acme.evil.example`);
    expect(bad.visited).toHaveLength(1);
    expect(bad.message.data.error).toEqual({
      type: 'invalid_connection_config',
      message:
        'The connection config for Tenant OAuth is not valid: params[tenant] (Tenant) does not match the pattern ^[a-z0-9-]+$, e.g. acme',
    });
    const missing = await playFlow(`${url()}/oauth/connect/tenanted?connection_id=u-bad`);
    expect(missing.visited).toHaveLength(1);
    expect(missing.message.data.error?.message).toBe(
      'The connection config for Tenant OAuth is not valid: params[tenant] (Tenant) is required: The part of your address before .example.test, e.g. acme',
    );
    expect(provider.seen.length).toBe(before);
    expect(await stored('tenanted', 'u-bad')).toBeUndefined();
  });

  it('fills the tenant into the authorization, token, base and proxy URLs; keeps token and redirect metadata and the post-connection value', async () => {
    const end = await playFlow(`${url()}/oauth/connect/tenanted?connection_id=u-1&params[tenant]=acme`);
    expect(end.message.eventType).toBe('AUTHORIZATION_SUCEEDED');
    expect(new URL(end.visited[1] as string).pathname).toBe('/t/acme/authorize');
    const token = provider.seen.filter((request) => request.path === '/t/acme/token');
    expect(token).toHaveLength(1);
    const resources = provider.seen.filter((request) => request.path === '/resources').at(-1);
    expect(resources?.authorization).toBe('Bearer at-acme');
    expect(await stored('tenanted', 'u-1')).toEqual({
      tenant: 'acme',
      instance_url: 'https://acme.example.test',
      'team.id': 'T-7',
      realmId: 'realm-42',
      cloudId: 'cloud-of-acme',
    });
    const post = await log.ended('connection', (op) => op.name === 'post_connection' && op.connectionId === 'u-1');
    expect(post).toMatchObject({ status: 'success', fields: { stored: 1 } });
    // The proxy calls the tenant's own base URL.
    const proxied = await fetch(`${url()}/proxy/me`, { headers: { 'connection-id': 'u-1', 'provider-config-key': 'tenanted' } });
    expect(await proxied.json()).toEqual({ path: '/api/acme/me' });
  });

  it('keeps the Connection when a post-connection step fails, and records the failure as an operation naming the answer', async () => {
    const end = await playFlow(`${url()}/oauth/connect/tenanted?connection_id=u-broken&params[tenant]=broken`);
    expect(end.message.eventType).toBe('AUTHORIZATION_SUCEEDED');
    expect(await stored('tenanted', 'u-broken')).toEqual({
      tenant: 'broken',
      instance_url: 'https://broken.example.test',
      'team.id': 'T-7',
      realmId: 'realm-42',
    });
    const connect = await log.ended('connect', (op) => op.connectionId === 'u-broken');
    expect(connect.status).toBe('success');
    const post = await log.ended('connection', (op) => op.name === 'post_connection' && op.connectionId === 'u-broken');
    expect(post).toMatchObject({
      status: 'failed',
      parentId: connect.id,
      error: { code: 'post_connection_failed', message: 'step 1: GET /resources answered HTTP 500; the Connection was kept' },
    });
  });

  it('/api-auth refuses a bad or missing per-tenant value before the provider is asked, storing nothing', async () => {
    const before = provider.seen.length;
    const post = (path: string, body: unknown) =>
      fetch(`${url()}${path}`, { method: 'POST', headers: json, body: JSON.stringify(body) }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as { error?: { code: string; message: string }; connectionId?: string },
      }));
    const key = await post('/api-auth/api-key/keyed?connection_id=k-1&params[tenant]=../admin', { apiKey: 'k' });
    expect(key.status).toBe(400);
    expect(key.body.error).toEqual({
      code: 'invalid_connection_config',
      message:
        'The connection config for Tenant Key is not valid: params[tenant] (Tenant) does not match the pattern ^[a-z0-9-]+$, e.g. acme',
    });
    const basic = await post('/api-auth/basic/basic?connection_id=b-1&params[region]=apac', { username: 'u', password: 'p' });
    expect(basic.status).toBe(400);
    expect(basic.body.error?.message).toBe(
      'The connection config for tenant-basic is not valid: params[tenant] (Tenant) is required: The part of your address before .example.test, e.g. acme; params[region] (Region) must be one of us, eu',
    );
    expect(provider.seen.length).toBe(before);
    expect(await stored('keyed', 'k-1')).toBeUndefined();
    expect(await stored('basic', 'b-1')).toBeUndefined();

    // A good one is stored with the catalog's default filled in, and the base URL is the tenant's.
    const good = await post('/api-auth/basic/basic?connection_id=b-2&params[tenant]=globex', { username: 'u', password: 'p' });
    expect(good.status).toBe(200);
    expect(await stored('basic', 'b-2')).toEqual({ tenant: 'globex', region: 'us' });
  });

  it('RPC registerConnection, updateConnectionConfig and POST /connections refuse a value outside its pattern, naming where it came', async () => {
    await expect(h.nango.registerConnection('keyed', 'r-1', { api_key: 'k' }, { tenant: 'No Good' })).rejects.toMatchObject({
      code: 'invalid_connection_config',
      retryable: false,
      message: expect.stringContaining('additionalConfig.tenant (Tenant) does not match the pattern ^[a-z0-9-]+$'),
    });
    expect(await stored('keyed', 'r-1')).toBeUndefined();
    await h.nango.registerConnection('keyed', 'r-2', { api_key: 'k' }, { tenant: 'initech' });
    await expect(h.nango.updateConnectionConfig('keyed', 'r-2', { tenant: 'x.y/z' })).rejects.toMatchObject({
      code: 'invalid_connection_config',
    });
    expect(await stored('keyed', 'r-2')).toEqual({ tenant: 'initech' });

    const imported = await fetch(`${url()}/connections`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        provider_config_key: 'keyed',
        connection_id: 'i-1',
        credentials: { type: 'API_KEY', apiKey: 'k' },
        connection_config: { tenant: 'UPPER' },
      }),
    });
    expect(imported.status).toBe(400);
    expect(((await imported.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'invalid_connection_config',
      message: expect.stringContaining('body/connection_config/tenant (Tenant) does not match the pattern'),
    });
    expect(await stored('keyed', 'i-1')).toBeUndefined();
  });
});
