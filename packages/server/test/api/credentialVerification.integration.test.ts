import type { Provider } from '../../src/providers/Provider';
import { catalogOf } from '../helpers/apiHarness';
import { startApiServer, type ApiServer, type RecordedRequest } from '../helpers/apiServer';
import { startHarness, type Harness } from '../helpers/harness';
import { RecordingOperationLog } from '../helpers/RecordingOperationLog';

const json = { 'content-type': 'application/json' };
const GOOD_KEY = 'good-key-1234';
/** A key the provider takes longer to judge than NANGO_VERIFICATION_TIMEOUT_MS allows. */
const SLOW_KEY = 'slow-key-5678';
/** A key whose check meets the provider down (503): no verdict either. */
const DOWN_KEY = 'down-key-9999';
const SID = 'AC0123456789';
const TOKEN = 'auth-token-secret';
const VERIFICATION_TIMEOUT_MS = 400;

/** The provider: a key API, a Twilio-like basic API (account id in the path), a POST verification elsewhere. */
function respond(request: RecordedRequest): { status?: number; body?: unknown; delayMs?: number } {
  const key = request.headers['x-api-key'];
  if (request.url === '/me') {
    if (key === SLOW_KEY) return { delayMs: VERIFICATION_TIMEOUT_MS * 4, body: { me: 'late' } };
    if (key === DOWN_KEY) return { status: 503, body: { error: 'maintenance' } };
    return key === GOOD_KEY ? { body: { me: 'ok' } } : { status: 401, body: { error: 'bad key' } };
  }
  if (request.url === '/whoami') return key === GOOD_KEY ? { body: { account: { id: 'acc-1' } } } : { status: 401 };
  const basic = `Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`;
  if (request.url === `/api/2010/Accounts/${SID}/Messages.json`) {
    return request.headers.authorization === basic ? { body: { messages: [] } } : { status: 403, body: { error: 'no' } };
  }
  if (request.url === '/alt/verify' && request.method === 'POST') {
    const body = JSON.parse(request.body || '{}') as { check?: boolean; key?: string };
    const accepted = request.headers['x-verify'] === 'yes' && body.check === true && key === GOOD_KEY && body.key === GOOD_KEY;
    return accepted ? { body: { ok: true } } : { status: 401, body: { error: 'refused' } };
  }
  return { status: 404, body: { error: 'not found' } };
}

describe("static credentials checked at the catalog's verification request, at every door", () => {
  let api: ApiServer;
  let h: Harness;
  let log: RecordingOperationLog;
  const url = () => h.worker.httpUrl as string;

  beforeAll(async () => {
    api = await startApiServer(respond);
    const catalog = catalogOf(
      {
        name: 'keyhub',
        display_name: 'KeyHub',
        auth_mode: 'API_KEY',
        proxy: {
          base_url: api.url,
          headers: { 'x-api-key': '${apiKey}' },
          verification: { method: 'GET', endpoints: ['/me'] },
        },
        post_connection: { endpoint: '/whoami', store: { accountId: 'account.id' } },
      } as Provider,
      {
        name: 'basichub',
        display_name: 'BasicHub',
        auth_mode: 'BASIC',
        proxy: {
          base_url: `${api.url}/api`,
          verification: { endpoints: ['/2010/Accounts/${credentials.username}/Messages.json'] },
        },
      } as Provider,
      {
        name: 'posthub',
        display_name: 'PostHub',
        auth_mode: 'API_KEY',
        proxy: {
          base_url: `${api.url}/elsewhere`,
          headers: { 'x-api-key': '${apiKey}' },
          verification: {
            method: 'POST',
            base_url_override: `${api.url}/alt`,
            endpoints: ['/verify'],
            headers: { 'x-verify': 'yes' },
            data: { check: true, key: '${apiKey}' },
          },
        },
      } as Provider,
      {
        name: 'pathhub',
        display_name: 'PathHub',
        auth_mode: 'API_KEY',
        proxy: {
          base_url: api.url,
          headers: { 'x-api-key': '${apiKey}' },
          verification: { endpoints: ['/keys/${credentials.apiKey}'] },
        },
      } as Provider,
    );
    log = new RecordingOperationLog();
    h = await startHarness({
      yaml: 'integrations:\n  keyed:\n    provider: keyhub\n  basic:\n    provider: basichub\n  posted:\n    provider: posthub\n  pathed:\n    provider: pathhub\n',
      catalog,
      operationLog: log,
      port: 0,
      verificationTimeoutMs: VERIFICATION_TIMEOUT_MS,
    });
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
    await api?.close();
  });

  async function stored(integration: string, userId: string): Promise<boolean> {
    try {
      await h.nango.getConnection(integration, userId);
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === 'connection_not_found') return false;
      throw error;
    }
  }

  const rejected = (status: number) => ({
    code: 'credentials_rejected',
    retryable: false,
    message: `KeyHub refused these credentials: its verification request GET /me answered HTTP ${status}. Check them and try again; nothing was stored`,
  });

  it('RPC registerConnection: a refused key is refused naming the status, nothing stored; a good one is stored', async () => {
    await expect(h.nango.registerConnection('keyed', 'rpc-1', { api_key: 'wrong' })).rejects.toMatchObject(rejected(401));
    expect(await stored('keyed', 'rpc-1')).toBe(false);
    await h.nango.registerConnection('keyed', 'rpc-1', { api_key: GOOD_KEY });
    expect(await stored('keyed', 'rpc-1')).toBe(true);
  });

  it('RPC updateConnectionCredentials: a refused key leaves the stored one as it was', async () => {
    await expect(h.nango.updateConnectionCredentials('keyed', 'rpc-1', { api_key: 'wrong' })).rejects.toMatchObject(
      rejected(401),
    );
    const connection = await h.nango.getConnection('keyed', 'rpc-1');
    expect(connection.returnValue?.credentials).toMatchObject({ api_key: GOOD_KEY });
  });

  it('no answer in time, or a provider down, is the retryable credentials_check_failed, with nothing stored', async () => {
    await expect(h.nango.registerConnection('keyed', 'slow-1', { api_key: SLOW_KEY })).rejects.toMatchObject({
      code: 'credentials_check_failed',
      retryable: true,
      message: `KeyHub could not check these credentials: its verification request GET /me got no answer within ${VERIFICATION_TIMEOUT_MS} ms (NANGO_VERIFICATION_TIMEOUT_MS). Nothing was stored; try again`,
    });
    await expect(h.nango.registerConnection('keyed', 'down-1', { api_key: DOWN_KEY })).rejects.toMatchObject({
      code: 'credentials_check_failed',
      retryable: true,
      message: expect.stringContaining('GET /me answered HTTP 503'),
    });
    expect(await stored('keyed', 'slow-1')).toBe(false);
    expect(await stored('keyed', 'down-1')).toBe(false);
  });

  it('POST /connections: 400 credentials_rejected, 502 credentials_check_failed, nothing stored', async () => {
    const post = (connectionId: string, apiKey: string) =>
      fetch(`${url()}/connections`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({
          provider_config_key: 'keyed',
          connection_id: connectionId,
          credentials: { type: 'API_KEY', apiKey },
        }),
      }).then(async (response) => ({ status: response.status, body: (await response.json()) as { error?: unknown } }));
    const wrong = await post('imp-1', 'wrong');
    expect(wrong).toEqual({ status: 400, body: { error: { code: 'credentials_rejected', message: rejected(401).message } } });
    const slow = await post('imp-2', SLOW_KEY);
    expect(slow.status).toBe(502);
    expect(slow.body.error).toMatchObject({ code: 'credentials_check_failed' });
    expect(await stored('keyed', 'imp-1')).toBe(false);
    expect(await stored('keyed', 'imp-2')).toBe(false);
    expect((await post('imp-3', GOOD_KEY)).status).toBe(201);
  });

  it('/api-auth/api-key: connection_test_failed naming the status; the post-connection value stored with a good key', async () => {
    const post = (connectionId: string, apiKey: string) =>
      fetch(`${url()}/api-auth/api-key/keyed?connection_id=${connectionId}`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ apiKey }),
      }).then(async (response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> }));
    expect(await post('fe-1', 'wrong')).toEqual({
      status: 400,
      body: { error: { code: 'connection_test_failed', message: rejected(401).message } },
    });
    const slow = await post('fe-2', SLOW_KEY);
    expect(slow.status).toBe(502);
    expect(slow.body['error']).toMatchObject({ code: 'credentials_check_failed' });
    expect(await stored('keyed', 'fe-1')).toBe(false);
    expect(await stored('keyed', 'fe-2')).toBe(false);
    expect(await post('fe-3', GOOD_KEY)).toEqual({ status: 200, body: { connectionId: 'fe-3', providerConfigKey: 'keyed' } });
    expect((await h.nango.getConnection('keyed', 'fe-3')).returnValue?.additionalConfig).toEqual({ accountId: 'acc-1' });
    const connect = await log.ended('connect', (op) => op.connectionId === 'fe-3');
    expect(connect.messages.map((message) => message.text)).toContain(
      'the provider accepted the credentials at its verification endpoint',
    );
  });

  it('/api-auth/basic: the endpoint filled with the account id from the credentials; a wrong token refused with 403', async () => {
    const post = (connectionId: string, password: string) =>
      fetch(`${url()}/api-auth/basic/basic?connection_id=${connectionId}`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ username: SID, password }),
      }).then(async (response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> }));
    const wrong = await post('b-1', 'nope');
    expect(wrong.status).toBe(400);
    expect(wrong.body['error']).toEqual({
      code: 'connection_test_failed',
      message:
        'BasicHub refused these credentials: its verification request GET /2010/Accounts/${credentials.username}/Messages.json answered HTTP 403. Check them and try again; nothing was stored',
    });
    expect((await post('b-2', TOKEN)).status).toBe(200);
    expect(await stored('basic', 'b-1')).toBe(false);
    expect(await stored('basic', 'b-2')).toBe(true);
  });

  it('never puts a secret credential in a verification URL: such a catalog entry is refused, naming the field', async () => {
    const before = api.requests.length;
    await expect(h.nango.registerConnection('pathed', 'x-1', { api_key: GOOD_KEY })).rejects.toMatchObject({
      code: 'internal_error',
      message:
        'providers.pathhub.proxy.verification.endpoints puts the api_key credential in a URL, which this server does not send (a URL shows in traces and logs)',
    });
    expect(api.requests.length).toBe(before);
    expect(await stored('pathed', 'x-1')).toBe(false);
  });

  it("sends the catalog's method, headers, body (its placeholders filled) and base_url_override", async () => {
    await expect(h.nango.registerConnection('posted', 'p-1', { api_key: 'wrong' })).rejects.toMatchObject({
      code: 'credentials_rejected',
      message: expect.stringContaining('POST /verify answered HTTP 401'),
    });
    await h.nango.registerConnection('posted', 'p-2', { api_key: GOOD_KEY });
    const last = api.requests.filter((request) => request.url === '/alt/verify').at(-1);
    expect(last).toMatchObject({
      method: 'POST',
      headers: expect.objectContaining({ 'x-verify': 'yes', 'x-api-key': GOOD_KEY }),
    });
    expect(JSON.parse(last?.body ?? '')).toEqual({ check: true, key: GOOD_KEY });
  });

  it('never puts a credential in an error, a log line or an operation', () => {
    const everything = JSON.stringify([h.rawLogs, log.ofKind('connect'), log.ofKind('connection')]);
    for (const secret of ['wrong', TOKEN, 'nope']) expect(everything.includes(`"${secret}"`)).toBe(false);
    expect(everything).not.toContain(GOOD_KEY);
  });
});
