import type { Provider } from '../../src/providers/Provider';
import type { ApiServer } from '../helpers/apiServer';
import { waitFor, type Harness } from '../helpers/harness';
import { ITEMS_SYNC_YAML, startModeHarness, type ModeHarness } from './modeHarness';
import { startNetSuiteMock } from './netsuiteMock';

const SECRET = 'tba-test-secret-key';
const CONSUMER = { key: 'ck-integration-record', secret: 'cs-integration-record' };
const TOKEN = { id: 'token-id-of-ann', secret: 'token-secret-of-ann' };

/** A Connection as GET /connection/:id answers it, as far as these tests read it. */
interface ConnectionReply {
  credentials: Record<string, unknown>;
  connection_config: Record<string, unknown>;
}

/**
 * NetSuite token-based authentication end to end: Connections made through POST /auth/tba (and the popup path), then
 * an action, a proxy call and a sync reading through them from a local NetSuite that checks every signature, realm
 * included, with its own HMAC-SHA256; bad input refused with nothing stored.
 */
describe('TBA (NetSuite token-based authentication)', () => {
  let netsuite: ApiServer & { refusals: string[] };
  let mode: ModeHarness;
  let h: Harness;
  let url: string;
  let withKey: ModeHarness['withKey'];

  beforeAll(async () => {
    netsuite = await startNetSuiteMock({
      realm: '123456_SB1',
      consumers: { [CONSUMER.key]: CONSUMER.secret, 'ck-own': 'cs-own' },
      tokens: { [TOKEN.id]: TOKEN.secret },
    });
    mode = await startModeHarness({
      yaml: `
integrations:
  netsuite:
    provider: netsuite-local
    oauth:
      client_id: ${CONSUMER.key}
      client_secret: ${CONSUMER.secret}
${ITEMS_SYNC_YAML}`,
      withScripts: ['netsuite', 'ns-runtime'],
      secretKey: SECRET,
      provider: {
        name: 'netsuite-local',
        display_name: 'NetSuite (TBA, local)',
        auth_mode: 'TBA',
        connection_config: { accountId: { type: 'string', title: 'Account ID', pattern: '^[a-zA-Z0-9-_]+$' } },
        proxy: { base_url: `${netsuite.url}/services/rest` },
      } as Provider,
    });
    ({ harness: h, url, withKey } = mode);
  }, 30_000);

  afterAll(async () => {
    await mode?.stop();
    await netsuite?.close();
  });

  const authTba = (key: string, query: string, body: unknown) =>
    fetch(`${url}/auth/tba/${key}?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  /** Refusals of the good token (bob's bad one is refused by design, and his sync keeps trying it). */
  const refused = () => netsuite.refusals.filter((refusal) => !refusal.startsWith('someone-else:'));
  const getConnection = (id: string, key = 'netsuite') =>
    fetch(`${url}/connection/${id}?provider_config_key=${key}`, { headers: withKey });

  it('makes a Connection from POST /auth/tba, its account id the realm every request is signed for', async () => {
    const reply = await authTba('netsuite', 'connection_id=ann&params%5BaccountId%5D=123456-sb1', {
      token_id: TOKEN.id,
      token_secret: TOKEN.secret,
    });
    expect(reply.status).toBe(200);
    expect(await reply.json()).toEqual({ connectionId: 'ann', providerConfigKey: 'netsuite' });
    const connection = (await (await getConnection('ann')).json()) as ConnectionReply;
    expect(connection.credentials).toMatchObject({ type: 'TBA', token_id: TOKEN.id, token_secret: TOKEN.secret });
    expect(connection.connection_config).toEqual({ accountId: '123456-sb1' });
  });

  it('signs an action httpRequest (its query included) that NetSuite accepts', async () => {
    const get = await h.nango.triggerAction('netsuite', 'call', 'ann', {
      endpoint: '/record/v1/customer',
      params: { q: 'a b!' },
    });
    expect(get.returnValue).toMatchObject({ ok: true, status: 200, body: { items: [{ id: '1', name: 'Acme Corp' }] } });
    // Found by path: the Connection's sync runs beside these calls and reads the same API.
    const last = netsuite.requests.find((request) => request.url === '/services/rest/record/v1/customer?q=a+b%21');
    expect(last).toBeDefined();
    expect(last?.headers.authorization).toMatch(/^OAuth realm="123456_SB1", oauth_consumer_key="ck-integration-record", /);
    expect(refused()).toEqual([]);
  });

  it('signs a proxy call for the Connection', async () => {
    const reply = await fetch(`${url}/proxy/record/v1/customer/7?fields=name`, {
      headers: { ...withKey, 'Connection-Id': 'ann', 'Provider-Config-Key': 'netsuite' },
    });
    expect(reply.status).toBe(200);
    expect(netsuite.requests.some((request) => request.url === '/services/rest/record/v1/customer/7?fields=name')).toBe(true);
    expect(refused()).toEqual([]);
  });

  it('runs the sync of a new Connection through the same signing', async () => {
    const records = async () => {
      const reply = await fetch(`${url}/records?model=Item`, {
        headers: { ...withKey, 'Connection-Id': 'ann', 'Provider-Config-Key': 'netsuite' },
      });
      return ((await reply.json()) as { records: { id: string; name: string }[] }).records;
    };
    await waitFor(async () => (await records()).length === 1, 20_000, 'the sync to save the item');
    expect((await records())[0]).toMatchObject({ id: '1', name: 'Acme Corp' });
    expect(refused()).toEqual([]);
  }, 30_000);

  it("is refused by NetSuite (401 to the action) when the token is not the account's", async () => {
    const reply = await authTba('netsuite', 'connection_id=bob&params%5BaccountId%5D=123456-sb1', {
      token_id: 'someone-else',
      token_secret: 'whatever',
    });
    expect(reply.status).toBe(200); // NetSuite has no cheap check to try it against at creation
    const call = await h.nango.triggerAction('netsuite', 'call', 'bob', { endpoint: '/record/v1/customer' });
    expect(call.returnValue).toMatchObject({ ok: false, status: 401 });
    expect(netsuite.refusals.at(-1)).toBe('someone-else: unknown token');
  });

  it('refuses a missing token secret or account id clearly, storing nothing', async () => {
    const noSecret = await authTba('netsuite', 'connection_id=carol&params%5BaccountId%5D=123456', { token_id: TOKEN.id });
    expect(noSecret.status).toBe(400);
    const noSecretBody = (await noSecret.json()) as { error: { code: string; message: string } };
    expect(noSecretBody.error.code).toBe('invalid_credentials');
    expect(noSecretBody.error.message).toContain('token_secret (a non-empty string) is required');
    const noAccount = await authTba('netsuite', 'connection_id=carol', { token_id: TOKEN.id, token_secret: TOKEN.secret });
    expect(noAccount.status).toBe(400);
    const noAccountBody = (await noAccount.json()) as { error: { code: string; message: string } };
    // The catalog entry's connection_config field is checked first, at every door, before any request.
    expect(noAccountBody.error.code).toBe('invalid_connection_config');
    expect(noAccountBody.error.message).toContain('params[accountId] (Account ID) is required');
    expect(JSON.stringify([noSecretBody, noAccountBody])).not.toContain(TOKEN.secret);
    expect((await getConnection('carol')).status).toBe(404);
    expect(h.rawLogs.join('\n')).not.toContain(TOKEN.secret);
  });

  it('makes the Connection on /oauth/connect too (the popup path), or ends the flow with a clear error', async () => {
    const query = 'connection_id=dan&params%5BaccountId%5D=123456-sb1&credentials%5Boauth_client_id_override%5D=ck-own';
    const partial = await fetch(`${url}/oauth/connect/netsuite?${query}&token_id=${TOKEN.id}`);
    expect(await partial.text()).toContain('token_secret (a non-empty string) is required');
    expect((await getConnection('dan')).status).toBe(404);
    const full = await fetch(
      `${url}/oauth/connect/netsuite?${query}&credentials%5Boauth_client_secret_override%5D=cs-own&token_id=${TOKEN.id}&token_secret=${TOKEN.secret}`,
    );
    expect(full.status).toBe(200);
    expect(await full.text()).toContain('AUTHORIZATION_SUCEEDED');
    const connection = (await (await getConnection('dan')).json()) as ConnectionReply;
    expect(connection.credentials['config_override']).toEqual({ client_id: 'ck-own', client_secret: 'cs-own' });
    // The Connection's own consumer signs its requests.
    await h.nango.triggerAction('netsuite', 'call', 'dan', { endpoint: '/record/v1/customer' });
    const signed = netsuite.requests.filter((request) => request.url === '/services/rest/record/v1/customer');
    expect(signed.at(-1)?.headers.authorization).toContain('oauth_consumer_key="ck-own"');
    expect(refused()).toEqual([]);
  });

  it('imports a Connection with POST /connections { type: TBA, token_id, token_secret }', async () => {
    const imported = await fetch(`${url}/connections`, {
      method: 'POST',
      headers: { ...withKey, 'content-type': 'application/json' },
      body: JSON.stringify({
        provider_config_key: 'netsuite',
        connection_id: 'fay',
        credentials: { type: 'TBA', token_id: TOKEN.id, token_secret: TOKEN.secret },
        connection_config: { accountId: '123456_SB1' },
      }),
    });
    expect(imported.status).toBe(201);
    const call = await h.nango.triggerAction('netsuite', 'call', 'fay', { endpoint: '/record/v1/customer' });
    expect(call.returnValue).toMatchObject({ ok: true, status: 200 });
    expect(refused()).toEqual([]);
  });

  it('takes a run-time integration from POST /integrations with { type: TBA, client_id, client_secret }', async () => {
    const created = await fetch(`${url}/integrations`, {
      method: 'POST',
      headers: { ...withKey, 'content-type': 'application/json' },
      body: JSON.stringify({
        provider: 'netsuite-local',
        unique_key: 'ns-runtime',
        credentials: { type: 'TBA', client_id: CONSUMER.key, client_secret: CONSUMER.secret },
      }),
    });
    expect(created.status).toBe(200);
    const reply = await authTba('ns-runtime', 'connection_id=erin&params%5BaccountId%5D=123456-SB1', {
      token_id: TOKEN.id,
      token_secret: TOKEN.secret,
    });
    expect(reply.status).toBe(200);
    const proxied = await fetch(`${url}/proxy/record/v1/customer`, {
      headers: { ...withKey, 'Connection-Id': 'erin', 'Provider-Config-Key': 'ns-runtime' },
    });
    expect(proxied.status).toBe(200);
    expect(refused()).toEqual([]);
  });
});
