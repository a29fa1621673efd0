import { MAX_CONNECTION_ID_LENGTH } from '@nangohq/protocol';
import { validateMessage } from '../../src/rpc/validateMessage';
import type { ApiHarness } from '../helpers/apiHarness';
import { API_STORES, startApiOn } from '../helpers/apiOnStore';
import { postedMessage } from '../helpers/oauthFlow';

const KEY = 'connection-id-limit-key';
const json = { 'content-type': 'application/json' };
const YAML = `integrations:
  keyed:
    auth_mode: API_KEY
    base_url: http://127.0.0.1:9
    headers:
      x-key: \${api_key}
`;

/** Ids at and past the limit: ASCII, and astral characters (two UTF-16 units, four UTF-8 bytes each). */
const id = (length: number, char = 'a') => char.repeat(length);
const EMOJI = '\u{1F600}';

/**
 * One limit for Connection ids, the same at every door: 255 characters (code points). Ids of 101 to 255 characters
 * were accepted by /api-auth and then answered 414 by GET and DELETE /connection(s)/:id (the router's 100).
 */
describe.each(API_STORES)('the Connection id limit on %s', (kind) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApiOn(kind, { yaml: YAML, secretKey: KEY });
  });
  afterAll(() => api.stop());

  const call = (path: string, init: RequestInit = {}) => api.call(path, { key: KEY, ...init });
  const apiAuth = (connectionId: string) =>
    call(`/api-auth/api-key/keyed?connection_id=${encodeURIComponent(connectionId)}`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ apiKey: 'k' }),
    });

  it('is 255', () => {
    expect(MAX_CONNECTION_ID_LENGTH).toBe(255);
  });

  it.each([
    ['101 ASCII', id(101)],
    ['255 ASCII', id(255)],
    ['255 astral', id(255, EMOJI)],
    ['255 mixed, percent-encoded', `${id(126)}/?#%é${id(124, EMOJI)}`],
  ])('takes ids of %s characters at every route, and deletes them', async (_label, connectionId) => {
    expect((await apiAuth(connectionId)).status).toBe(200);
    const path = encodeURIComponent(connectionId);
    for (const route of ['connection', 'connections']) {
      const got = await call(`/${route}/${path}?provider_config_key=keyed`);
      expect({ route, status: got.status }).toEqual({ route, status: 200 });
      expect(got.body.connection_id).toBe(connectionId);
    }
    expect((await call(`/connection?connectionId=${path}`)).body.connections).toHaveLength(1);
    expect((await call(`/connections/${path}?provider_config_key=keyed`, { method: 'DELETE' })).status).toBe(200);
    expect((await apiAuth(connectionId)).status).toBe(200);
    expect((await call(`/connection/${path}?provider_config_key=keyed`, { method: 'DELETE' })).status).toBe(200);
  });

  it.each([
    ['256 ASCII', id(256)],
    ['256 astral', id(256, EMOJI)],
  ])('refuses ids of %s characters at every door, naming the field and the limit', async (_label, connectionId) => {
    const path = encodeURIComponent(connectionId);
    const refused = async (reply: { status: number; body: { error?: { code: string; message: string } } }, field: string) => {
      expect({ field, status: reply.status }).toEqual({ field, status: 400 });
      expect(reply.body.error?.message).toContain(field);
      expect(reply.body.error?.message).toContain('255');
    };
    const auth = await apiAuth(connectionId);
    await refused(auth, 'connection_id');
    await refused(await call(`/connection/${path}?provider_config_key=keyed`), 'connectionId');
    await refused(await call(`/connections/${path}?provider_config_key=keyed`, { method: 'DELETE' }), 'connectionId');
    await refused(await call(`/connections?connectionId=${path}`), 'connectionId');
    // Header values are Latin-1: only the ASCII id can travel in Connection-Id.
    if (/^[a-z]+$/.test(connectionId)) {
      const headers = { 'connection-id': connectionId, 'provider-config-key': 'keyed' };
      await refused(await call('/proxy/x', { headers }), 'Connection-Id');
      await refused(await call('/records?model=M', { headers }), 'connection-id');
      await refused(
        await call('/action/trigger', { method: 'POST', headers: { ...json, ...headers }, body: '{"action_name":"a"}' }),
        'connection-id',
      );
    }
    await refused(
      await call('/connections/metadata', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ connection_id: ['ok', connectionId], provider_config_key: 'keyed', metadata: {} }),
      }),
      'connection_id',
    );
    await refused(
      await call('/connect/sessions/reconnect', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ connection_id: connectionId, integration_id: 'keyed' }),
      }),
      'connection_id',
    );
    const page = await fetch(`${api.url}/oauth/connect/keyed?connection_id=${path}`);
    const message = postedMessage(await page.text());
    expect(message.data.error?.message).toMatch(/connection_id .*255/);
  });

  it('answers a path parameter past what any id may be with a 400, not a 414', async () => {
    for (const method of ['GET', 'DELETE']) {
      const reply = await call(`/connection/${id(5000)}?provider_config_key=keyed`, { method });
      expect(reply.status).toBe(400);
      expect(reply.body.error).toMatchObject({ code: 'invalid_request', message: expect.stringContaining('255') });
    }
  });
});

describe('the Connection id limit over RabbitMQ', () => {
  it('refuses a userId past 255 characters in every message that takes one, naming the field', () => {
    const long = id(256);
    const messages = [
      { type: 'registerConnection', integration: 'slack', userId: long, credentials: { access_token: 'a' } },
      { type: 'getConnection', integration: 'slack', userId: long },
      { type: 'getConnectionsForUserId', userId: long },
      { type: 'setMetadata', integration: 'slack', userIds: ['1', long], metadata: {} },
    ];
    for (const message of messages) {
      expect(() => validateMessage(message)).toThrow(/userIds?(\.1)?: must NOT have more than 255 characters/);
    }
    expect(validateMessage({ type: 'getConnection', integration: 'slack', userId: id(255, EMOJI) })).toBeTruthy();
  });
});
