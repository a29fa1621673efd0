/**
 * A TWO_STEP entry whose token URL's host the user types (`http://${connectionConfig.hostname}:<port>/login`): its
 * login request goes through the address guard (net/addressGuard.ts), as every request to such a host does. Without
 * NANGO_ALLOW_PRIVATE_HOSTS a name that resolves to loopback is refused before a byte reaches the local server playing
 * the instance, and nothing is stored; with it, the Connection is made. A name that resolves to the cloud's metadata
 * address is refused whatever the setting, and so is a step whose URL is an answer of a guarded step naming it.
 */
import type { Provider } from '../../src/providers/Provider';
import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';
import { answerNames } from '../helpers/answerNames';
import { startApiServer, type ApiServer } from '../helpers/apiServer';

const SECRET_KEY = 'two-step-user-host-secret-key';
const USER = { username: 'ann', password: 'pa55-never-logged' };

/** Names this test answers itself (no resolver is asked for them): where a typed host may lead. */
const ANSWERS: Readonly<Record<string, string>> = {
  'login.acme.test': '127.0.0.1',
  'metadata.acme.test': '169.254.169.254',
};

jest.setTimeout(30_000);

let instance: ApiServer;
let restoreDns: () => void;
let catalog: ReturnType<typeof catalogOf>;

beforeAll(async () => {
  restoreDns = answerNames(ANSWERS);
  // The self-hosted instance: its login answers the one user it knows; its discovery names the metadata address.
  instance = await startApiServer((request) => {
    if (request.url === '/discover') return { body: { token_endpoint: 'http://169.254.169.254/latest/meta-data/' } };
    const body = JSON.parse(request.body || '{}') as Record<string, unknown>;
    return body['password'] === USER.password ? { body: { token: 'login-token' } } : { status: 401, body: {} };
  });
  const port = new URL(instance.url).port;
  const typedHost = { hostname: { type: 'string', title: 'Instance host', pattern: '^[a-zA-Z0-9.-]+$' } };
  const credentials = { username: { type: 'string' }, password: { type: 'string', secret: true } };
  catalog = catalogOf(
    {
      name: 'selfhosted-login',
      auth_mode: 'TWO_STEP',
      connection_config: typedHost,
      credentials,
      token_url: `http://\${connectionConfig.hostname}:${port}/login`,
      body_format: 'json',
      token_params: { username: '${credentials.username}', password: '${credentials.password}' },
      token_response: { token: 'token' },
      proxy: { base_url: `${instance.url}/api` },
    } as unknown as Provider,
    {
      name: 'selfhosted-discovery',
      auth_mode: 'TWO_STEP',
      connection_config: typedHost,
      credentials,
      token_url: `http://\${connectionConfig.hostname}:${port}/discover`,
      token_request_method: 'GET',
      additional_steps: [{ token_url: '${step1.token_endpoint}', body_format: 'json', token_params: { a: 'b' } }],
      token_response: { token: 'token' },
      proxy: { base_url: `${instance.url}/api` },
    } as unknown as Provider,
  );
});

afterAll(async () => {
  await instance?.close();
  restoreDns?.();
});

async function startWith(allowPrivateHosts: boolean): Promise<ApiHarness> {
  return startApi({
    secretKey: SECRET_KEY,
    yaml: 'integrations:\n  login:\n    provider: selfhosted-login\n  discovery:\n    provider: selfhosted-discovery\n',
    catalog,
    allowPrivateHosts,
  });
}

function connect(api: ApiHarness, key: string, connectionId: string, hostname: string) {
  const query = new URLSearchParams({ connection_id: connectionId, 'params[hostname]': hostname });
  return api.call(`/auth/two-step/${key}?${query.toString()}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'TWO_STEP', ...USER }),
  });
}

async function stored(api: ApiHarness, key: string, connectionId: string): Promise<number> {
  const reply = await api.call(`/connection/${connectionId}?provider_config_key=${key}`, { key: SECRET_KEY });
  return reply.status;
}

describe('a TWO_STEP token host the user types, without NANGO_ALLOW_PRIVATE_HOSTS', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startWith(false);
  });
  afterAll(async () => {
    await api?.stop();
  });

  it.each([
    ['login.acme.test', 'a loopback or private address'],
    ['metadata.acme.test', 'a link-local or cloud metadata address'],
  ])('refuses %s before the login request reaches it, and stores nothing', async (hostname, why) => {
    const before = instance.requests.length;
    const posted = await connect(api, 'login', 'mallory', hostname);
    expect(posted.status).toBe(400);
    const message = JSON.stringify(posted.body);
    expect(message).toContain(`${hostname} resolves to ${why}`);
    expect(message).toContain('a host a user types may not reach it');
    expect(message).not.toContain(USER.password);
    expect(instance.requests.length).toBe(before);
    expect(await stored(api, 'login', 'mallory')).toBe(404);
  });
});

describe('a TWO_STEP token host the user types, with NANGO_ALLOW_PRIVATE_HOSTS', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startWith(true);
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('connects: the login goes to the typed host and the token is stored', async () => {
    const before = instance.requests.length;
    const posted = await connect(api, 'login', 'ann', 'login.acme.test');
    expect(posted.status).toBe(200);
    expect(instance.requests.slice(before).map((request) => [request.url, request.headers['host']])).toEqual([
      ['/login', `login.acme.test:${new URL(instance.url).port}`],
    ]);
    expect(await stored(api, 'login', 'ann')).toBe(200);
  });

  it('still refuses a name that resolves to the metadata address, before any request', async () => {
    const before = instance.requests.length;
    const posted = await connect(api, 'login', 'mallory', 'metadata.acme.test');
    expect(posted.status).toBe(400);
    expect(JSON.stringify(posted.body)).toContain('link-local or cloud metadata');
    expect(instance.requests.length).toBe(before);
    expect(await stored(api, 'login', 'mallory')).toBe(404);
  });

  it("refuses a next step at the metadata address named by the typed host's answer", async () => {
    const before = instance.requests.length;
    const posted = await connect(api, 'discovery', 'mallory', 'login.acme.test');
    expect(posted.status).toBe(400);
    expect(JSON.stringify(posted.body)).toContain('169.254.169.254 resolves to a link-local or cloud metadata address');
    expect(instance.requests.slice(before).map((request) => request.url)).toEqual(['/discover']);
    expect(await stored(api, 'discovery', 'mallory')).toBe(404);
  });
});
