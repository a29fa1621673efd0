import { COPIED_TABLES } from '../../src/store/Store';
import { STORE_KINDS, type TestStore } from '../helpers/storeFactories';

describe.each(STORE_KINDS)('delivery counts, key records and row copies on %s', (_kind, open) => {
  let opened: TestStore;
  beforeEach(async () => {
    opened = await open();
  });
  afterEach(() => opened.dispose());

  it('counts redeliveries from 2, per id, and forgets counts older than asked', async () => {
    const { deliveries } = opened.store;
    expect(await deliveries.redelivered('a', 1_000)).toBe(2);
    expect(await deliveries.redelivered('a', 2_000)).toBe(3);
    expect(await deliveries.redelivered('b', 3_000)).toBe(2);
    await deliveries.prune(2_500); // 'a' was last seen at 2000
    expect(await deliveries.redelivered('a', 4_000)).toBe(2);
    expect(await deliveries.redelivered('b', 4_000)).toBe(3);
  });

  it('counts concurrent redeliveries of one request without losing any', async () => {
    const counts = await Promise.all(Array.from({ length: 10 }, () => opened.store.deliveries.redelivered('same')));
    expect([...counts].sort((x, y) => x - y)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('records the key fingerprint and lists the key ids in use', async () => {
    const { keys, connections } = opened.store;
    expect(await keys.recordedKeyId()).toBeUndefined();
    await keys.recordKeyId('abc');
    await keys.recordKeyId(opened.cipher.currentKeyId);
    expect(await keys.recordedKeyId()).toBe(opened.cipher.currentKeyId);
    expect(await keys.keyIdsInUse()).toEqual([]);
    await connections.insert({ integration: 'x', userId: '1', credentials: { api_key: 'k', raw: {} }, additionalConfig: {} });
    expect(await keys.keyIdsInUse()).toEqual([opened.cipher.currentKeyId]);
    expect(await keys.countToReencrypt(opened.cipher, false)).toBe(0);
  });

  it('pages through rows as stored and writes them once, skipping those already there', async () => {
    const { rows, connections } = opened.store;
    for (let i = 0; i < 7; i++) {
      await connections.insert({
        integration: 'x',
        userId: `u${i}`,
        credentials: { api_key: 'k', raw: {} },
        additionalConfig: {},
      });
    }
    expect(await rows.count('connections')).toBe(7);
    const first = await rows.read('connections', undefined, 4);
    const second = await rows.read('connections', first[first.length - 1], 4);
    expect(first).toHaveLength(4);
    expect(second).toHaveLength(3);
    const uuids = [...first, ...second].map((row) => row['uuid']);
    expect(new Set(uuids).size).toBe(7);
    expect(String(first[0]?.['credentials'])).toMatch(/^v1:/); // ciphertexts, as stored
    expect(await rows.write('connections', first)).toBe(0); // all there already
    expect(COPIED_TABLES).toEqual(['meta', 'connections', 'idempotency', 'integrations', 'records', 'sync_schedules']);
  });
});
