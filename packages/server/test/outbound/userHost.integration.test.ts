/**
 * A host the user types (config/userHost.ts): a catalog entry for a self-hosted instance,
 * `http://${connectionConfig.hostname}:<port>/api`, played by a local server. With NANGO_ALLOW_PRIVATE_HOSTS the
 * Connection is verified, stored and proxied; without it, names that resolve to loopback, private or metadata
 * addresses are refused after DNS, before a byte reaches them. A malformed host is refused before any request, and
 * the host cannot be moved afterwards.
 */
import dns from 'node:dns';
import type { Provider } from '../../src/providers/Provider';
import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';
import { startApiServer, type ApiServer } from '../helpers/apiServer';

const KEY = 'sh-key-never-logged';
const SECRET_KEY = 'user-host-secret-key';

/** Names this test answers itself (no resolver is asked for them): where a typed host may lead. */
const ANSWERS: Readonly<Record<string, string>> = {
  'gitlab.acme.test': '127.0.0.1',
  'metadata.acme.test': '169.254.169.254',
  'intranet.acme.test': '10.1.2.3',
};

/** dns.lookup answering ANSWERS, the real resolver for every other name; returns the function that puts it back. */
function answerTestNames(): () => void {
  const real = dns.lookup;
  const fake = (host: string, options: unknown, callback?: unknown): void => {
    const answer = ANSWERS[host];
    if (answer === undefined) return (real as (...args: unknown[]) => void)(host, options, callback);
    const done = (typeof options === 'function' ? options : callback) as (...args: unknown[]) => void;
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all === true;
    process.nextTick(() => (all ? done(null, [{ address: answer, family: 4 }]) : done(null, answer, 4)));
  };
  (dns as { lookup: unknown }).lookup = fake;
  return () => {
    dns.lookup = real;
  };
}

jest.setTimeout(30_000);

let instance: ApiServer;
let restoreDns: () => void;
let catalog: ReturnType<typeof catalogOf>;

beforeAll(async () => {
  restoreDns = answerTestNames();
  // The self-hosted instance: its API answers the one key it knows.
  instance = await startApiServer((request) =>
    request.headers['private-token'] === KEY ? { body: { me: 'ok', path: request.url } } : { status: 401, body: {} },
  );
  const port = new URL(instance.url).port;
  catalog = catalogOf({
    name: 'selfhosted',
    display_name: 'Self-hosted',
    auth_mode: 'API_KEY',
    connection_config: { hostname: { type: 'string', title: 'Instance host', pattern: '^[a-zA-Z0-9.-]+$' } },
    proxy: {
      base_url: `http://\${connectionConfig.hostname}:${port}/api`,
      headers: { 'private-token': '${apiKey}' },
      verification: { method: 'GET', endpoints: ['/me'] },
    },
  } as unknown as Provider);
});

afterAll(async () => {
  await instance?.close();
  restoreDns?.();
});

async function startWith(allowPrivateHosts: boolean): Promise<ApiHarness> {
  return startApi({
    secretKey: SECRET_KEY,
    yaml: 'integrations:\n  selfhosted:\n    provider: selfhosted\n',
    catalog,
    allowPrivateHosts,
  });
}

function connect(api: ApiHarness, connectionId: string, hostname: string) {
  const query = new URLSearchParams({ connection_id: connectionId, 'params[hostname]': hostname });
  return api.call(`/api-auth/api-key/selfhosted?${query.toString()}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ apiKey: KEY }),
  });
}

describe('a host the user types, with NANGO_ALLOW_PRIVATE_HOSTS', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startWith(true);
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('connects the self-hosted instance: verified there, stored, and proxied to it', async () => {
    const before = instance.requests.length;
    const posted = await connect(api, 'alice', 'gitlab.acme.test');
    expect(posted.status).toBe(200);
    expect(instance.requests.slice(before).map((request) => [request.url, request.headers['host']])).toEqual([
      ['/api/me', `gitlab.acme.test:${new URL(instance.url).port}`],
    ]);
    const proxied = await api.call('/proxy/projects', {
      key: SECRET_KEY,
      headers: { 'connection-id': 'alice', 'provider-config-key': 'selfhosted' },
    });
    expect(proxied.status).toBe(200);
    expect(proxied.body).toEqual({ me: 'ok', path: '/api/projects' });
  });

  it('refuses to move the host afterwards, by metadata or config', async () => {
    const moved = await api.call('/connections/metadata', {
      method: 'PATCH',
      key: SECRET_KEY,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ connection_id: 'alice', provider_config_key: 'selfhosted', metadata: { hostname: 'evil.test' } }),
    });
    expect(moved.status).toBe(400);
    expect(JSON.stringify(moved.body)).toContain('metadata.hostname makes up the host');
    expect(JSON.stringify(moved.body)).not.toContain('evil.test');
    // Other metadata still changes.
    const other = await api.call('/connections/metadata', {
      method: 'PATCH',
      key: SECRET_KEY,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ connection_id: 'alice', provider_config_key: 'selfhosted', metadata: { team: 'a' } }),
    });
    expect(other.status).toBeLessThan(300);
  });

  it('still refuses a name that resolves to a link-local or metadata address', async () => {
    const before = instance.requests.length;
    const posted = await connect(api, 'mallory', 'metadata.acme.test');
    expect(posted.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(posted.body)).toContain('link-local or cloud metadata');
    expect(instance.requests.length).toBe(before);
  });
});

describe('a host the user types, without NANGO_ALLOW_PRIVATE_HOSTS', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startWith(false);
  });
  afterAll(async () => {
    await api?.stop();
  });

  it.each([
    ['gitlab.acme.test', 'loopback or private'],
    ['localhost', 'loopback or private'],
    ['intranet.acme.test', 'loopback or private'],
    ['metadata.acme.test', 'link-local or cloud metadata'],
  ])('refuses %s after DNS, before any request reaches it', async (hostname, why) => {
    const before = instance.requests.length;
    const posted = await connect(api, `c-${hostname}`, hostname);
    expect(posted.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(posted.body)).toContain(why);
    expect(instance.requests.length).toBe(before);
    const stored = await api.call(`/connection/c-${hostname}?provider_config_key=selfhosted`, { key: SECRET_KEY });
    expect(stored.status).toBe(404);
  });

  it('refuses a proxy call of a Connection stored with such a host (one made before, or by another door)', async () => {
    const store = await api.store();
    await store.insert({
      integration: 'selfhosted',
      userId: 'stored',
      credentials: { type: 'API_KEY', api_key: KEY, raw: {} },
      additionalConfig: { hostname: 'gitlab.acme.test' },
    });
    const before = instance.requests.length;
    const proxied = await api.call('/proxy/projects', {
      key: SECRET_KEY,
      headers: { 'connection-id': 'stored', 'provider-config-key': 'selfhosted' },
    });
    expect(proxied.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(proxied.body)).toContain('http_host_not_allowed');
    expect(JSON.stringify(proxied.body)).toContain('loopback or private');
    expect(instance.requests.length).toBe(before);
  });

  it.each(['127.0.0.1', '0x7f.1', 'a..b', 'under_score.test'])(
    'refuses the malformed host %s when connecting',
    async (hostname) => {
      const posted = await connect(api, 'bad', hostname);
      expect(posted.status).toBe(400);
      const text = JSON.stringify(posted.body);
      expect(text).toMatch(/invalid_connection_config/);
      expect(text).toContain('params[hostname]');
    },
  );
});
