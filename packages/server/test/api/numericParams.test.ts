import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFrequency } from '../../src/config/frequency';
import type { ApiHarness } from '../helpers/apiHarness';
import { API_STORES, startApiOn } from '../helpers/apiOnStore';
import { itemsYaml } from '../syncs/pagingExecutor';

const KEY = 'numeric-params-key';
const json = { 'content-type': 'application/json' };
const connection = { 'connection-id': 'u1', 'provider-config-key': 'items' };

/** Values a number parameter must refuse, as they travel in a query string or a header. */
const BAD_TEXTS = ['NaN', 'Infinity', '-Infinity', '-1', '1.5', '99999999999999999999', '1e400', '0x10', ' 5', '', 'ten'];

/**
 * Every number a route reads from its query, headers or body (contract C.3: limit, page, X-Max-Retries, Retries, a
 * sync frequency): NaN, infinities, negatives, fractions and huge values are a 400 naming the parameter and the
 * range it takes, on both stores, never a storage_error from the database that got them.
 */
describe.each(API_STORES)('number parameters on %s', (kind) => {
  let api: ApiHarness;
  let dir: string;
  beforeAll(async () => {
    // The items sync's file: it never runs here (no worker role), but the config must find it.
    dir = mkdtempSync(join(tmpdir(), 'nango-numbers-'));
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

  async function refused(path: string, field: string, range: string, init: RequestInit = {}): Promise<void> {
    const reply = await api.call(path, { key: KEY, ...init });
    expect({ path, status: reply.status, code: reply.body?.error?.code }).toEqual({ path, status: 400, code: 'invalid_request' });
    expect(reply.body.error.message).toContain(field);
    expect(reply.body.error.message).toContain(range);
    expect(reply.body.error.message).not.toMatch(/sqlite|postgres|database|SQLSTATE/i);
  }

  it.each(BAD_TEXTS)('GET /records?limit=%j', async (value) => {
    await refused(`/records?model=Item&limit=${encodeURIComponent(value)}`, 'limit', 'from 1 to 10000', { headers: connection });
  });

  it.each(BAD_TEXTS)('GET /connections?limit=%j and page=%j', async (value) => {
    await refused(`/connections?limit=${encodeURIComponent(value)}`, 'limit', 'from 1 to 2000');
    if (value !== '-1' && value !== '') await refused(`/connections?page=${encodeURIComponent(value)}`, 'page', 'from 0 to');
  });

  it.each(BAD_TEXTS)('GET /webhooks/deliveries?limit=%j', async (value) => {
    await refused(`/webhooks/deliveries?limit=${encodeURIComponent(value)}`, 'limit', 'from 1 to 1000');
  });

  // HTTP trims a header value's spaces, so ` 5` arrives as `5`.
  it.each(BAD_TEXTS.filter((value) => value.trim() === value && value !== ''))('X-Max-Retries: %j', async (value) => {
    await refused('/action/trigger', 'x-max-retries', 'from 0 to 5', {
      method: 'POST',
      headers: { ...json, ...connection, 'x-max-retries': value },
      body: JSON.stringify({ action_name: 'a' }),
    });
  });

  it.each(['1e400', '-1', '1.5', '"1e3"', '"Infinity"', '100001', 'null'])(
    'PATCH /records/prune { limit: %s }',
    async (value) => {
      await refused('/records/prune', 'limit', 'from 1 to 10000', {
        method: 'PATCH',
        headers: { ...json, ...connection },
        body: `{"model":"Item","until_cursor":"x","limit":${value}}`,
      });
    },
  );

  it.each(['Infinity', '-1', '1.5', 'NaN', '1e400'])('proxy Retries: %j', async (value) => {
    await refused('/proxy/x', 'Retries', '0 or more', { headers: { ...connection, retries: value } });
  });

  it.each([
    ['99999999999999999999 weeks', 'at most 365 days'],
    [`${'9'.repeat(90)} days`, 'at most 365 days'],
    ['every 1000 weeks', 'at most 365 days'],
    [`${'9'.repeat(400)} days`, 'more than 100 characters'],
  ])('PUT /sync/update-connection-frequency { frequency: %j }', async (frequency, range) => {
    await refused('/sync/update-connection-frequency', 'frequency', range, {
      method: 'PUT',
      headers: json,
      body: JSON.stringify({ sync_name: 'items', provider_config_key: 'items', connection_id: 'u1', frequency }),
    });
  });

  it('still takes the numbers in range', async () => {
    expect((await api.call('/connections?limit=2000&page=3', { key: KEY })).status).toBe(200);
    expect((await api.call('/webhooks/deliveries?limit=1000', { key: KEY })).status).toBe(200);
    const records = await api.call('/records?model=Item&limit=10000', { key: KEY, headers: connection });
    expect(records.body.error?.message ?? '').not.toContain('limit');
  });
});

describe('parseFrequency', () => {
  it('takes 5 minutes to 365 days, and nothing that is not a finite number of them', () => {
    expect(parseFrequency('every 365 days')).toEqual({ ms: 365 * 86_400_000 });
    expect(parseFrequency('5m')).toEqual({ ms: 300_000 });
    for (const text of ['every 366 days', '1e3 days', `${'9'.repeat(400)} days`, 'every 53 weeks']) {
      expect(parseFrequency(text)).toEqual({ problem: expect.stringMatching(/at most 365 days|is not a frequency/) });
    }
  });
});
