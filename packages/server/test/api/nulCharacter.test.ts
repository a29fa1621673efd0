import { encodeCursor } from '../../src/store/RecordStore';
import { pgTestStore } from '../helpers/storeFactories';
import { validateMessage } from '../../src/rpc/validateMessage';
import type { ApiHarness } from '../helpers/apiHarness';
import { API_STORES, startApiOn } from '../helpers/apiOnStore';
import { postedMessage } from '../helpers/oauthFlow';
import { itemsYaml } from '../syncs/pagingExecutor';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const KEY = 'nul-character-key';
const json = { 'content-type': 'application/json' };
const NUL = '\u0000';

/**
 * PostgreSQL cannot store U+0000 in text (SQLite can): a NUL in an id or a filter answered 503 `storage_error` on
 * PostgreSQL only, and a 500 from /api-auth. Both stores now refuse it at the door, naming the field.
 */
describe.each(API_STORES)('the NUL character at the HTTP door on %s', (kind) => {
  let api: ApiHarness;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nango-nul-'));
    mkdirSync(join(dir, 'items'));
    writeFileSync(join(dir, 'items', 'items.sync.ts'), 'export {};\n');
    api = await startApiOn(kind, { yaml: itemsYaml(), integrationsDir: dir, secretKey: KEY });
    await (
      await api.store()
    ).insert({ integration: 'items', userId: 'u1', credentials: { api_key: 'k', raw: {} }, additionalConfig: {} });
  });
  afterAll(async () => {
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = (path: string, init: RequestInit = {}) => api.call(path, { key: KEY, ...init });
  const records = { 'connection-id': 'u1', 'provider-config-key': 'items' };
  const metadata = (body: unknown) => ({ method: 'POST', headers: json, body: JSON.stringify(body) });

  it.each([
    ['GET', '/connection/a%00b?provider_config_key=items', {}, 'params/connectionId'],
    ['DELETE', '/connections/a%00b?provider_config_key=items', {}, 'params/connectionId'],
    ['GET', '/connection?connectionId=a%00b', {}, 'querystring/connectionId'],
    ['GET', '/connections?connectionId=a%00b', {}, 'querystring/connectionId'],
    ['GET', '/connections?search=%00', {}, 'querystring/search'],
    ['GET', '/connections?endUserId=x%00', {}, 'querystring/endUserId'],
    ['GET', '/connections?tags%5Bteam%00%5D=red', {}, 'querystring'],
    ['GET', '/connections/u1?provider_config_key=items%00', {}, 'querystring/provider_config_key'],
    ['GET', '/records?model=Item&ids=a%00b', { headers: records }, 'querystring/ids'],
    ['GET', '/records?model=Item&variant=v%00', { headers: records }, 'querystring/variant'],
    ['GET', '/sync/status?syncs=items&provider_config_key=items&connection_id=u%001', {}, 'querystring/connection_id'],
    ['GET', '/integrations/a%00b', {}, 'params/uniqueKey'],
    ['GET', '/action/a%00b', {}, 'params/id'],
    [
      'POST',
      '/connections/metadata',
      metadata({ connection_id: `u${NUL}1`, provider_config_key: 'items', metadata: {} }),
      'body/connection_id',
    ],
    [
      'POST',
      '/connections/metadata',
      metadata({ connection_id: 'u1', provider_config_key: 'items', metadata: { [`a${NUL}`]: 1 } }),
      'body/metadata',
    ],
    [
      'POST',
      '/connections/metadata',
      metadata({ connection_id: 'u1', provider_config_key: 'items', metadata: { a: [`x${NUL}`] } }),
      'body/metadata/a/0',
    ],
    [
      'PUT',
      '/sync/update-connection-frequency',
      metadata({
        sync_name: 'items',
        sync_variant: `v${NUL}`,
        provider_config_key: 'items',
        connection_id: 'u1',
        frequency: null,
      }),
      'body/sync_variant',
    ],
    ['POST', '/connect/sessions', metadata({ end_user: { id: `e${NUL}` } }), 'body/end_user/id'],
    ['POST', '/api-auth/api-key/items?connection_id=a%00b', metadata({ apiKey: 'k' }), 'connection_id'],
    ['POST', '/api-auth/api-key/items?connection_id=ab', metadata({ apiKey: `k${NUL}` }), 'body/apiKey'],
  ] as const)('%s %s (case %#) is a 400 naming the field', async (method, path, init, field) => {
    const reply = await call(path, { ...init, method });
    expect({ status: reply.status, code: reply.body?.error?.code }).toEqual({ status: 400, code: 'invalid_request' });
    expect(reply.body.error.message).toContain(field);
    expect(reply.body.error.message).toContain('NUL');
    expect(JSON.stringify(reply.body)).not.toContain(NUL);
  });

  it('refuses a records cursor whose id holds a NUL, as not one of ours', async () => {
    const reply = await call(`/records?model=Item&cursor=${encodeCursor(1, `a${NUL}b`)}`, { headers: records });
    expect({ status: reply.status, code: reply.body.error?.code }).toEqual({ status: 400, code: 'invalid_request' });
    expect(reply.body.error.message).toContain('cursor');
  });

  it('ends /oauth/connect with a NUL in connection_id in the callback protocol, naming it', async () => {
    const page = await fetch(`${api.url}/oauth/connect/items?connection_id=a%00b`);
    const message = postedMessage(await page.text());
    expect(message.data.error).toMatchObject({ type: 'url_param_err', message: expect.stringContaining('connection_id') });
  });

  it('stored nothing and still answers', async () => {
    const listed = await call('/connections');
    expect(listed.body.connections.map((c: { connection_id: string }) => c.connection_id)).toEqual(['u1']);
    expect((await call('/connections/u1?provider_config_key=items')).body.metadata).toEqual({});
  });
});

describe('the NUL character over RabbitMQ', () => {
  it.each([
    [{ type: 'registerConnection', integration: 'slack', userId: `a${NUL}`, credentials: { access_token: 'a' } }, 'userId'],
    [{ type: 'getConnectionsForUserId', userId: `${NUL}` }, 'userId'],
    [{ type: 'setMetadata', integration: 'slack', userIds: ['1', `2${NUL}`], metadata: {} }, 'userIds.1'],
    [{ type: 'setMetadata', integration: 'slack', userIds: ['1'], metadata: { a: { [`b${NUL}`]: 1 } } }, 'metadata.a'],
    [
      { type: 'updateConnectionConfig', integration: 'slack', userId: '1', additionalConfig: { a: [1, `x${NUL}`] } },
      'additionalConfig.a.1',
    ],
    [{ type: 'triggerAction', integration: 'slack', action: 'notify', userId: '1', input: { text: NUL } }, 'input.text'],
    [{ type: 'triggerAction', integration: 'slack', action: 'notify', userId: '1', idempotencyKey: `k${NUL}` }, 'idempotencyKey'],
  ])('refuses %j naming %s', (message, field) => {
    expect(() => validateMessage(message)).toThrow(`${field}: must not contain the NUL character (\\u0000)`);
    try {
      validateMessage(message);
    } catch (error) {
      expect(error).toMatchObject({ code: 'invalid_message' });
      expect((error as Error).message).not.toContain(NUL);
    }
  });
});

describe('a NUL that reaches PostgreSQL anyway', () => {
  it('is a non-retryable invalid_request, not a storage_error to retry forever', async () => {
    const handle = await pgTestStore();
    try {
      await expect(handle.store.connections.get('items', `a${NUL}b`)).rejects.toMatchObject({
        code: 'invalid_request',
        message: expect.stringContaining('NUL character'),
      });
    } finally {
      await handle.dispose();
    }
  });
});
