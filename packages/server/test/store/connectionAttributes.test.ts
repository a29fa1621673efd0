import type { ConnectionStore } from '../../src/store/Store';
import { rawQuery, STORE_KINDS, type TestStore } from '../helpers/storeFactories';

const credentials = { access_token: 'tok', raw: { access_token: 'tok' } };

describe.each(STORE_KINDS)('Connection attributes and search on %s', (_kind, open) => {
  let opened: TestStore;
  let store: ConnectionStore;
  beforeEach(async () => {
    opened = await open();
    store = opened.store.connections;
  });
  afterEach(() => opened.dispose());

  const add = (integration: string, userId: string) =>
    store.insert({ integration, userId, credentials, additionalConfig: { n: userId } });

  it('starts with no tags and no end user, and replaces each as a whole', async () => {
    await add('slack', 'u1');
    expect(await store.attributes('slack', 'u1')).toEqual({ tags: {}, endUser: null });
    const endUser = {
      id: 'eu-1',
      email: 'Ada@example.com',
      displayName: 'Ada',
      organization: { id: 'org-1', displayName: 'Acme' },
    };
    expect(await store.setAttributes('slack', 'u1', { tags: { Team: 'red' }, endUser })).toBe(true);
    expect(await store.attributes('slack', 'u1')).toEqual({ tags: { Team: 'red' }, endUser });
    // Only what is given changes.
    expect(await store.setAttributes('slack', 'u1', { tags: { a: 'b' } })).toBe(true);
    expect(await store.attributes('slack', 'u1')).toEqual({ tags: { a: 'b' }, endUser });
    expect(await store.setAttributes('slack', 'u1', { endUser: null })).toBe(true);
    expect(await store.attributes('slack', 'u1')).toEqual({ tags: { a: 'b' }, endUser: null });
    const [row] = await rawQuery<{ end_user_id: string | null }>(opened.store, 'SELECT end_user_id FROM connections');
    expect(row?.end_user_id).toBeNull();
    // The config and credentials are untouched.
    expect((await store.get('slack', 'u1'))?.additionalConfig).toEqual({ n: 'u1' });
    expect(await store.attributes('slack', 'nobody')).toBeUndefined();
    expect(await store.setAttributes('slack', 'nobody', { tags: {} })).toBe(false);
  });

  it('searches by every filter, in order, with limit and offset', async () => {
    await add('slack', 'u2');
    await add('github', 'u1');
    await add('slack', 'u1');
    await add('jira', 'other');
    await store.setAttributes('slack', 'u1', {
      tags: { Env: 'prod', end_user_id: 'tagged' },
      endUser: { id: 'eu-1', email: 'ada@EXAMPLE.com', displayName: 'Ada Lovelace', organization: { id: 'org-1' } },
    });
    await store.setAttributes('github', 'u1', { tags: { env: 'dev' }, endUser: { id: 'eu-2', displayName: 'Bob' } });
    await store.setAttributes('jira', 'other', { tags: { end_user_id: 'eu-1' } });

    const keys = async (filter: Parameters<ConnectionStore['search']>[0]) =>
      (await store.search(filter)).map((c) => `${c.integration}/${c.userId}`);
    expect(await keys({})).toEqual(['github/u1', 'jira/other', 'slack/u1', 'slack/u2']);
    expect(await keys({ userId: 'u1' })).toEqual(['github/u1', 'slack/u1']);
    expect(await keys({ integrations: ['slack', 'jira'] })).toEqual(['jira/other', 'slack/u1', 'slack/u2']);
    expect(await keys({ integrations: [] })).toEqual([]);
    // An end user id matches the end user record or the tag end_user_id.
    expect(await keys({ endUserId: 'eu-1' })).toEqual(['jira/other', 'slack/u1']);
    expect(await keys({ endUserId: 'tagged' })).toEqual(['slack/u1']);
    expect(await keys({ endUserOrganizationId: 'org-1' })).toEqual(['slack/u1']);
    // Tags: containment, keys compared lower-cased, values exactly.
    expect(await keys({ tags: { env: 'prod' } })).toEqual(['slack/u1']);
    expect(await keys({ tags: { ENV: 'dev' } })).toEqual(['github/u1']);
    expect(await keys({ tags: { env: 'PROD' } })).toEqual([]);
    expect(await keys({ tags: { env: 'prod', end_user_id: 'tagged' } })).toEqual(['slack/u1']);
    // Search: connection id, end user id, email, display name, case-insensitive.
    expect(await keys({ search: 'U2' })).toEqual(['slack/u2']);
    expect(await keys({ search: 'example.COM' })).toEqual(['slack/u1']);
    expect(await keys({ search: 'lovelace' })).toEqual(['slack/u1']);
    expect(await keys({ search: 'eu-' })).toEqual(['github/u1', 'slack/u1']);
    expect(await keys({ search: 'bob', integrations: ['slack'] })).toEqual([]);
    expect(await keys({ limit: 2 })).toEqual(['github/u1', 'jira/other']);
    expect(await keys({ limit: 2, offset: 2 })).toEqual(['slack/u1', 'slack/u2']);
    expect(await keys({ limit: 2, offset: 10 })).toEqual([]);
    // Paged after a match on JSON fields (the search) as well as in SQL.
    expect(await keys({ search: 'u', limit: 1, offset: 1 })).toEqual(['slack/u1']);
    expect(await keys({ integrations: ['slack'], limit: 1, offset: 1 })).toEqual(['slack/u2']);

    const [listed] = await store.search({ userId: 'u1', integrations: ['slack'] });
    expect(listed).toMatchObject({ integration: 'slack', userId: 'u1', additionalConfig: { n: 'u1' }, tags: { Env: 'prod' } });
    expect(listed?.endUser?.email).toBe('ada@EXAMPLE.com');
    expect(listed && 'credentials' in listed).toBe(false);
  });

  it('narrows in SQL without losing matches: wildcards, quotes, non-ASCII, tag key case', async () => {
    await add('slack', 'a_b');
    await add('slack', 'axb');
    await add('slack', '100%');
    await add('slack', 'zoe');
    await store.setAttributes('slack', 'zoe', { endUser: { id: 'z', displayName: 'Zoë "Z" O\\Brien' } });
    await store.setAttributes('slack', 'axb', { tags: { End_User_Id: 'via-tag' } });
    const keys = async (filter: Parameters<ConnectionStore['search']>[0]) => (await store.search(filter)).map((c) => c.userId);
    expect(await keys({ search: 'a_b' })).toEqual(['a_b']);
    expect(await keys({ search: '0%' })).toEqual(['100%']);
    expect(await keys({ search: 'ZOË' })).toEqual(['zoe']);
    expect(await keys({ search: '"z"' })).toEqual(['zoe']);
    expect(await keys({ search: 'o\\b' })).toEqual(['zoe']);
    expect(await keys({ search: 'BRIEN' })).toEqual(['zoe']);
    expect(await keys({ endUserId: 'via-tag' })).toEqual(['axb']);
    expect(await keys({ endUserId: 'z' })).toEqual(['zoe']);
    expect(await keys({ endUserId: 'nobody' })).toEqual([]);
  });

  it('forgets the attributes with the Connection', async () => {
    await add('slack', 'u1');
    await store.setAttributes('slack', 'u1', { tags: { a: 'b' }, endUser: { id: 'eu' } });
    expect(await store.delete('slack', 'u1')).toBe(true);
    await add('slack', 'u1');
    expect(await store.attributes('slack', 'u1')).toEqual({ tags: {}, endUser: null });
    expect(await store.search({ endUserId: 'eu' })).toEqual([]);
  });

  it('copies the attributes with the rows (copy-store)', async () => {
    await add('slack', 'u1');
    await store.setAttributes('slack', 'u1', { tags: { a: 'b' }, endUser: { id: 'eu', email: 'e@x' } });
    const rows = await opened.store.rows.read('connections', undefined, 10);
    expect(rows[0]).toMatchObject({ tags: '{"a":"b"}', end_user_id: 'eu' });
    const target = await open(opened.cipher);
    try {
      expect(await target.store.rows.write('connections', rows)).toBe(1);
      expect(await target.store.connections.attributes('slack', 'u1')).toEqual({
        tags: { a: 'b' },
        endUser: { id: 'eu', email: 'e@x' },
      });
      expect((await target.store.connections.search({ endUserId: 'eu' })).length).toBe(1);
    } finally {
      await target.dispose();
    }
  });
});
