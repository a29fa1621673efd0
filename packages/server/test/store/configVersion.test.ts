import type { ConnectionStore } from '../../src/store/Store';
import { configJsonOf } from '../../src/store/storedConfig';
import { rawQuery, STORE_KINDS, type TestStore } from '../helpers/storeFactories';

const credentials = { api_key: 'k', raw: { api_key: 'k' } };
/** A config large enough to be kept by the store's cache (over MIN_CACHED_CONFIG_BYTES). */
const large = (tag: string) => ({ tag, filler: 'f'.repeat(4000) });

/**
 * A large config crosses from the database once per change: get asks for it only when the row's config_version (or
 * uuid) differs from the text the store keeps, and every write of it, by this store or another process, bumps it.
 */
describe.each(STORE_KINDS)('the config a store keeps, on %s', (_kind, open) => {
  let opened: TestStore;
  let store: ConnectionStore;
  const config = async (userId = 'alice') => (await store.get('example', userId))?.additionalConfig;
  /** Changes the stored text behind the store's back, as no worker would, to see whether get reads it. */
  const tamper = (json: string, bump: boolean) =>
    rawQuery(
      opened.store,
      `UPDATE connections SET additional_config = ?${bump ? ', config_version = config_version + 1' : ''} WHERE user_id = 'alice'`,
      [json],
    );

  beforeEach(async () => {
    opened = await open();
    store = opened.store.connections;
    await store.insert({ integration: 'example', userId: 'alice', credentials, additionalConfig: large('v0') });
  });
  afterEach(() => opened.dispose());

  it('reads a large config again only once its version changed', async () => {
    expect(await config()).toEqual(large('v0'));
    await tamper(JSON.stringify(large('unseen')), false);
    expect(await config()).toEqual(large('v0')); // the same version: the text kept, not the row's
    await tamper(JSON.stringify(large('another process')), true);
    expect(await config()).toEqual(large('another process'));
  });

  it('sees every write of its own: updateConfig and updateConfigs bump the version', async () => {
    await config();
    await store.updateConfig('example', 'alice', large('v1'));
    expect(await config()).toEqual(large('v1'));
    await store.updateConfigs('example', ['alice'], (current) => ({ ...current, tag: 'v2' }));
    expect(await config()).toEqual(large('v2'));
    const [row] = await rawQuery<{ config_version: number }>(
      opened.store,
      "SELECT config_version FROM connections WHERE user_id = 'alice'",
    );
    expect(Number(row?.config_version)).toBe(2);
  });

  it('tells a Connection made again under the same ids from the one it replaced', async () => {
    await config();
    await store.delete('example', 'alice');
    await store.insert({ integration: 'example', userId: 'alice', credentials, additionalConfig: large('again') });
    expect(await config()).toEqual(large('again'));
  });

  it('reads a small config with its row every time', async () => {
    await store.updateConfig('example', 'alice', { small: true });
    expect(await config()).toEqual({ small: true });
    await tamper('{"small":"changed behind its back"}', false);
    expect(await config()).toEqual({ small: 'changed behind its back' });
  });

  it('hands the text it keeps to replies as it is', async () => {
    const first = await store.get('example', 'alice');
    const second = await store.get('example', 'alice');
    expect(configJsonOf(second!)).toBe(configJsonOf(first!));
    expect(JSON.parse(configJsonOf(second!))).toEqual(large('v0'));
  });
});
