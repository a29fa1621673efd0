import { compileTwoStep } from '../../src/config/compileTwoStep';
import type { Provider } from '../../src/providers/Provider';
import type { ApiServer } from '../helpers/apiServer';
import { waitFor, type Harness } from '../helpers/harness';
import { ITEMS_SYNC_YAML, startModeHarness, type ModeHarness } from './modeHarness';
import { CLIENT, startTwoStepMock, USER } from './twoStepMock';

const SECRET = 'two-step-test-secret-key';

/** A Connection as GET /connection/:id answers it, as far as these tests read it. */
interface ConnectionReply {
  credentials: Record<string, unknown>;
}

/** The catalog entries of these tests, in the shape of Nango's TWO_STEP entries, pointed at the mock. */
function providersOf(mock: string): Provider[] {
  return [
    {
      name: 'login-local',
      auth_mode: 'TWO_STEP',
      token_url: `${mock}/login`,
      body_format: 'json',
      token_params: { username: '${credentials.username}', password: '${credentials.password}' },
      token_headers: { 'content-type': 'application/json' },
      token_response: { token: 'data.token', token_expiration: 'data.expires_in', token_expiration_strategy: 'expireIn' },
      credentials: { username: { type: 'string', title: 'User' }, password: { type: 'string', title: 'Password', secret: true } },
      proxy: { base_url: `${mock}/api` },
    } as unknown as Provider,
    {
      name: 'discovery-local',
      auth_mode: 'TWO_STEP',
      token_url: `${mock}/discover`,
      token_request_method: 'GET',
      additional_steps: [
        {
          token_url: '${step1.token_endpoint}',
          body_format: 'form',
          token_params: { grant_type: 'client_credentials' },
          token_headers: { authorization: 'Basic ${base64(${credentials.clientId}:${credentials.clientSecret})}' },
        },
      ],
      token_response: { token: 'access_token', token_expiration: 'expires_in', token_expiration_strategy: 'expireIn' },
      proxy: {
        base_url: `${mock}/api`,
        headers: { 'x-auth': '${accessToken}', 'x-sig': '${sha256Hex(${credentials.clientId}${endpoint})}' },
      },
    } as unknown as Provider,
  ];
}

/**
 * TWO_STEP end to end: Connections made through POST /auth/two-step (the official frontend's route) and RPC
 * registerConnection, their token fetched from a local provider with the catalog entry's templates (a JSON login; a
 * discovery step whose answer names the token endpoint of the next), then an action, a proxy call and a sync through
 * them; a token near its expiry fetched again first; bad credentials refused with nothing stored and no secret said.
 */
describe('TWO_STEP', () => {
  let mock: ApiServer & { issued: string[] };
  let mode: ModeHarness;
  let h: Harness;
  let url: string;
  let withKey: ModeHarness['withKey'];

  beforeAll(async () => {
    // Login tokens live 3 s: fetched again a fifth of that (0.6 s) before they expire.
    mock = await startTwoStepMock({ expiresInS: 3 });
    mode = await startModeHarness({
      yaml: `
integrations:
  login:
    provider: login-local
${ITEMS_SYNC_YAML}
  discovery:
    provider: discovery-local
`,
      withScripts: ['login', 'discovery'],
      secretKey: SECRET,
      providers: providersOf(mock.url),
    });
    ({ harness: h, url, withKey } = mode);
  }, 30_000);

  afterAll(async () => {
    await mode?.stop();
    await mock?.close();
  });

  const authTwoStep = (key: string, query: string, body: unknown) =>
    fetch(`${url}/auth/two-step/${key}?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const getConnection = async (id: string, key: string) =>
    (await (await fetch(`${url}/connection/${id}?provider_config_key=${key}`, { headers: withKey })).json()) as ConnectionReply;
  const apiCalls = () => mock.requests.filter((request) => request.url.startsWith('/api/'));

  it('makes a Connection from POST /auth/two-step, its token fetched with the entry templates and stored as Nango does', async () => {
    const reply = await authTwoStep('login', 'connection_id=ann', { type: 'TWO_STEP', ...USER });
    expect(reply.status).toBe(200);
    expect(await reply.json()).toEqual({ connectionId: 'ann', providerConfigKey: 'login' });
    const login = mock.requests.find((request) => request.url === '/login');
    expect(JSON.parse(login?.body ?? '{}')).toEqual(USER);
    const { credentials } = await getConnection('ann', 'login');
    expect(credentials).toMatchObject({ type: 'TWO_STEP', username: USER.username, password: USER.password });
    expect(mock.issued).toContain(credentials['token']);
    const life = Date.parse(String(credentials['expires_at'])) - Date.now();
    expect(life).toBeGreaterThan(0);
    expect(life).toBeLessThanOrEqual(3_000);
    expect(credentials['raw']).toEqual({ data: { token: credentials['token'], expires_in: 3 } });
  });

  it("imports a Connection through POST /connections in Nango's TWO_STEP shape, its token fetched anew", async () => {
    const imported = (id: string, credentials: Record<string, unknown>) =>
      fetch(`${url}/connections`, {
        method: 'POST',
        headers: { ...withKey, 'content-type': 'application/json' },
        body: JSON.stringify({ provider_config_key: 'login', connection_id: id, credentials }),
      });
    const reply = await imported('imported', {
      type: 'TWO_STEP',
      ...USER,
      token: 'token-from-elsewhere',
      expires_at: '2030-01-01',
    });
    expect(reply.status).toBe(201);
    const { credentials } = await getConnection('imported', 'login');
    expect(credentials).toMatchObject({ type: 'TWO_STEP', username: USER.username, password: USER.password });
    expect(mock.issued).toContain(credentials['token']);
    expect(Date.parse(String(credentials['expires_at'])) - Date.now()).toBeLessThanOrEqual(60_000);
    const malformed = await imported('bad', { type: 'TWO_STEP', username: USER.username, password: 42 });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { message: string } }).error.message).toContain(
      'body/credentials: Credentials for login (TWO_STEP): password must be a string',
    );
  });

  it('fetches a token near its expiry again before an action uses it, and sends it as Bearer', async () => {
    const { credentials } = await getConnection('ann', 'login');
    const expiresAt = Date.parse(String(credentials['expires_at']));
    // Inside the last fifth of its life, still valid: the action's call must not carry it.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - 400 - Date.now())));
    const call = await h.nango.triggerAction('login', 'call', 'ann', { endpoint: '/items', params: { from: 'action' } });
    expect(call.returnValue).toMatchObject({ ok: true, status: 200, body: { items: [{ id: '1', name: 'Acme Corp' }] } });
    const sent = apiCalls().find((request) => request.url === '/api/items?from=action')?.headers.authorization;
    expect(sent).toMatch(/^Bearer login-/);
    expect(sent).not.toBe(`Bearer ${String(credentials['token'])}`);
    expect(mock.issued).toContain(sent?.slice('Bearer '.length));
  });

  it('runs the sync of the Connection through the same token', async () => {
    const records = async () => {
      const reply = await fetch(`${url}/records?model=Item`, {
        headers: { ...withKey, 'Connection-Id': 'ann', 'Provider-Config-Key': 'login' },
      });
      return ((await reply.json()) as { records: { id: string }[] }).records;
    };
    await waitFor(async () => (await records()).length === 1, 20_000, 'the sync to save the item');
  }, 30_000);

  it('refuses a wrong password or a missing field clearly, storing nothing and saying no secret', async () => {
    const wrong = await authTwoStep('login', 'connection_id=carol', { type: 'TWO_STEP', ...USER, password: 'not-the-pa55' });
    expect(wrong.status).toBe(400);
    const wrongBody = (await wrong.json()) as { error: { code: string; message: string } };
    expect(wrongBody.error.code).toBe('invalid_credentials');
    expect(wrongBody.error.message).toContain('HTTP 401');
    expect(wrongBody.error.message).not.toContain('not-the-pa55');
    const missing = await authTwoStep('login', 'connection_id=carol', { type: 'TWO_STEP', username: USER.username });
    const missingBody = (await missing.json()) as { error: { code: string; message: string } };
    expect(missingBody.error).toMatchObject({ code: 'invalid_credentials' });
    expect(missingBody.error.message).toContain('${credentials.password} is not set');
    const stored = await fetch(`${url}/connection/carol?provider_config_key=login`, { headers: withKey });
    expect(stored.status).toBe(404);
    expect(h.rawLogs.join('\n')).not.toContain('not-the-pa55');
  });

  it('runs a multi-step entry from RPC registerConnection: ${step1.x}, base64() and proxy headers of its own', async () => {
    await h.nango.registerConnection('discovery', 'bob', { ...CLIENT } as never);
    const { credentials } = await getConnection('bob', 'discovery');
    expect(credentials).toMatchObject({ type: 'TWO_STEP', clientId: CLIENT.clientId });
    expect(String(credentials['token'])).toMatch(/^cc-/);
    const reply = await fetch(`${url}/proxy/items`, {
      headers: { ...withKey, 'Connection-Id': 'bob', 'Provider-Config-Key': 'discovery' },
    });
    expect(reply.status).toBe(200);
    const last = apiCalls().at(-1);
    expect(last?.headers['x-auth']).toBe(credentials['token']);
    expect(last?.headers.authorization).toBeUndefined();
  });

  it('refuses at load an entry whose template the reader cannot read, naming the entry and the field', () => {
    const [login] = providersOf('http://127.0.0.1:9');
    const broken = { ...login, token_headers: { 'x-sig': '${hmacSha1Hex(${credentials.password})}' } } as unknown as Provider;
    expect(compileTwoStep(broken).problems).toEqual([
      {
        kind: 'template',
        message: 'token_headers.x-sig: at character 0: unknown function hmacSha1Hex(); the reader knows base64(), sha256Hex()',
      },
    ]);
  });
});
