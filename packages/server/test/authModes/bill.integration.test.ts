import type { Provider } from '../../src/providers/Provider';
import { startApiServer, type ApiServer, type RecordedRequest } from '../helpers/apiServer';
import { waitFor } from '../helpers/harness';
import { ITEMS_SYNC_YAML, startModeHarness, type ModeHarness } from './modeHarness';

const SECRET = 'bill-test-secret-key';
const USER = { username: 'ann@acme.test', password: 'bill-password-of-ann', organization_id: 'org-1', dev_key: 'dev-key-1' };

/**
 * A local Bill: v3 login (`POST /connect/v3/login`, JSON) checks the four fields and opens a session; any other path
 * wants a live `sessionId` and the `devKey` it was opened with, else 401 with Bill's error array. `sessions` counts
 * the logins.
 */
function startBillMock(): Promise<ApiServer & { sessions: Map<string, string>; refusals: string[] }> {
  const sessions = new Map<string, string>();
  const refusals: string[] = [];
  const refuse = (code: string) => {
    refusals.push(code);
    return { status: 401, body: [{ code, message: `refused: ${code}` }] };
  };
  const respond = (request: RecordedRequest) => {
    if (request.url === '/connect/v3/login') {
      const body = JSON.parse(request.body || '{}') as Record<string, string>;
      if (body['username'] !== USER.username || body['password'] !== USER.password) return refuse('BDC_1109');
      if (body['organizationId'] !== USER.organization_id || body['devKey'] !== USER.dev_key) return refuse('BDC_1102');
      const sessionId = `session-${sessions.size + 1}`;
      sessions.set(sessionId, body['devKey']);
      return { body: { sessionId, organizationId: USER.organization_id, userId: 'bill-user-1' } };
    }
    const sessionId = request.headers['sessionid'];
    if (typeof sessionId !== 'string' || !sessions.has(sessionId)) return refuse('BDC_1108');
    if (request.headers['devkey'] !== sessions.get(sessionId)) return refuse('BDC_1103');
    return { body: { items: [{ id: 'b-1', name: 'vendor bill' }] } };
  };
  return startApiServer(respond).then((server) => Object.assign(server, { sessions, refusals }));
}

/**
 * BILL end to end: Connections made through POST /auth/bill and RPC (a session opened at once), an action, a proxy
 * call and a sync with its sessionId and devKey headers, a new session before the old one's time is up, and a wrong
 * sign-in refused with nothing stored.
 */
describe('BILL (Bill Connect API sessions)', () => {
  let bill: Awaited<ReturnType<typeof startBillMock>>;
  let mode: ModeHarness;

  beforeAll(async () => {
    bill = await startBillMock();
    mode = await startModeHarness({
      yaml: `
integrations:
  bill:
    provider: bill-local
${ITEMS_SYNC_YAML}
  bill-short:
    provider: bill-local
    oauth:
      # A session is renewed 35 minutes minus this after it is opened: one second, here.
      refresh_margin_s: 2099
`,
      withScripts: ['bill', 'bill-short'],
      secretKey: SECRET,
      provider: {
        name: 'bill-local',
        auth_mode: 'BILL',
        token_url: `${bill.url}/connect/v3/login`,
        proxy: { base_url: `${bill.url}/connect` },
      } as Provider,
    });
  }, 30_000);

  afterAll(async () => {
    await mode?.stop();
    await bill?.close();
  });

  const connect = (key: string, query: string, body: unknown) =>
    fetch(`${mode.url}/auth/bill/${key}?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const connection = async (id: string, key = 'bill') => {
    const reply = await fetch(`${mode.url}/connection/${id}?provider_config_key=${key}`, { headers: mode.withKey });
    return { status: reply.status, credentials: ((await reply.json()) as { credentials: Record<string, unknown> }).credentials };
  };

  it('makes a Connection from POST /auth/bill with a session opened at once, in Nango’s shape', async () => {
    const reply = await connect('bill', 'connection_id=ann', USER);
    expect(await reply.json()).toEqual({ connectionId: 'ann', providerConfigKey: 'bill' });
    const { credentials } = await connection('ann');
    expect(credentials).toMatchObject({ type: 'BILL', ...USER, session_id: 'session-1', user_id: 'bill-user-1' });
    const expiresIn = Date.parse(String(credentials['expires_at'])) - Date.now();
    expect(expiresIn).toBeGreaterThan(34 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(35 * 60_000);
  });

  it('puts sessionId and devKey on an action httpRequest and a proxy call', async () => {
    const result = await mode.harness.nango.triggerAction('bill', 'call', 'ann', { endpoint: '/v3/vendors' });
    expect(result.returnValue).toMatchObject({ ok: true, status: 200 });
    const proxied = await fetch(`${mode.url}/proxy/v3/vendors`, {
      headers: { ...mode.withKey, 'Connection-Id': 'ann', 'Provider-Config-Key': 'bill' },
    });
    expect(proxied.status).toBe(200);
    expect(bill.requests.at(-1)?.headers).toMatchObject({ sessionid: 'session-1', devkey: USER.dev_key });
    expect(bill.refusals).toEqual([]);
  });

  it('runs the sync of a new Connection with the session', async () => {
    const records = async () => {
      const reply = await fetch(`${mode.url}/records?model=Item`, {
        headers: { ...mode.withKey, 'Connection-Id': 'ann', 'Provider-Config-Key': 'bill' },
      });
      return ((await reply.json()) as { records: { id: string }[] }).records;
    };
    await waitFor(async () => (await records()).length === 1, 20_000, 'the sync to save the item');
    expect((await records())[0]).toMatchObject({ id: 'b-1', name: 'vendor bill' });
    expect(bill.refusals).toEqual([]);
  }, 30_000);

  it('opens a new session before the old one’s time is up, and uses it', async () => {
    await mode.harness.nango.registerConnection('bill-short', 'bob', { ...USER } as never);
    const first = (await connection('bob', 'bill-short')).credentials['session_id'];
    const logins = bill.sessions.size;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const result = await mode.harness.nango.triggerAction('bill-short', 'call', 'bob', { endpoint: '/v3/vendors' });
    expect(result.returnValue).toMatchObject({ ok: true, status: 200 });
    expect(bill.sessions.size).toBe(logins + 1);
    const second = (await connection('bob', 'bill-short')).credentials['session_id'];
    expect(second).not.toBe(first);
    expect(bill.requests.at(-1)?.headers['sessionid']).toBe(second);
    expect(bill.refusals).toEqual([]);
  }, 30_000);

  it("imports a Connection through POST /connections in Nango's BILL shape, with a session of its own", async () => {
    const imported = (id: string, credentials: Record<string, unknown>) =>
      fetch(`${mode.url}/connections`, {
        method: 'POST',
        headers: { ...mode.withKey, 'content-type': 'application/json' },
        body: JSON.stringify({ provider_config_key: 'bill', connection_id: id, credentials }),
      });
    const logins = bill.sessions.size;
    const reply = await imported('dora', { type: 'BILL', ...USER, session_id: 'session-from-elsewhere', user_id: 'u-9' });
    expect(reply.status).toBe(201);
    expect(bill.sessions.size).toBe(logins + 1);
    const { credentials } = await connection('dora');
    expect(credentials).toMatchObject({ type: 'BILL', ...USER, session_id: `session-${logins + 1}`, user_id: 'bill-user-1' });
    const result = await mode.harness.nango.triggerAction('bill', 'call', 'dora', { endpoint: '/v3/vendors' });
    expect(result.returnValue).toMatchObject({ ok: true, status: 200 });
    const noKey: Record<string, unknown> = { type: 'BILL', ...USER };
    delete noKey['dev_key'];
    const malformed = await imported('erin', noKey);
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { message: string } }).error.message).toContain(
      'body/credentials/dev_key is required',
    );
    expect((await connection('erin')).status).toBe(404);
    expect(bill.refusals).toEqual([]);
  });

  it('refuses a wrong password and a missing dev key clearly, storing nothing and quoting no secret', async () => {
    const wrong = await connect('bill', 'connection_id=carol', { ...USER, password: 'not-the-password' });
    expect(wrong.status).toBe(400);
    const body = (await wrong.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid_credentials');
    expect(body.error.message).toContain('HTTP 401 BDC_1109');
    expect(bill.refusals.splice(0)).toEqual(['BDC_1109']);
    const noKey: Record<string, string> = { ...USER };
    delete noKey['dev_key'];
    const missing = await connect('bill', 'connection_id=carol', noKey);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain(
      'dev_key (a non-empty string) is required',
    );
    expect((await connection('carol')).status).toBe(404);
    expect(JSON.stringify(body) + mode.harness.rawLogs.join('\n')).not.toContain('not-the-password');
    expect(mode.harness.rawLogs.join('\n')).not.toContain(USER.password);
  });
});
