import type { ConnectSession } from '../../src/store/ConnectSessionStore';
import { rawQuery, STORE_KINDS, type TestStore } from '../helpers/storeFactories';

const TOKEN = `nango_connect_session_${'ab'.repeat(32)}`;

function session(overrides: Partial<ConnectSession> = {}): ConnectSession {
  const now = Date.now();
  return {
    endUser: { id: 'eu-1', email: 'ann@example.test', organization: { id: 'org-1', displayName: 'Acme' } },
    organization: { id: 'org-1', displayName: 'Acme' },
    tags: { plan: 'pro' },
    allowedIntegrations: ['github'],
    integrationsConfigDefaults: { github: { userScopes: ['repo'], connectionConfig: { tenant: 'acme' } } },
    createdAt: now,
    expiresAt: now + 60_000,
    ...overrides,
  };
}

describe.each(STORE_KINDS)('connect sessions on %s', (_kind, open) => {
  let opened: TestStore;
  beforeEach(async () => {
    opened = await open();
  });
  afterEach(() => opened.dispose());

  it('stores a session under the hash of its token only, reads it back, and ends it once', async () => {
    const { connectSessions } = opened.store;
    const stored = session();
    await connectSessions.create(TOKEN, stored);
    expect(await connectSessions.get(TOKEN)).toEqual(stored);
    expect(await connectSessions.get(`${TOKEN.slice(0, -1)}0`)).toBeUndefined();
    const rows = await rawQuery<Record<string, unknown>>(opened.store, 'SELECT * FROM connect_sessions');
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(TOKEN.slice('nango_connect_session_'.length));
    expect(await connectSessions.delete(TOKEN)).toBe(true);
    expect(await connectSessions.delete(TOKEN)).toBe(false);
    expect(await connectSessions.get(TOKEN)).toBeUndefined();
  });

  it('does not return a session past its expiry, and sweeps expired ones on the next write', async () => {
    const { connectSessions } = opened.store;
    const stored = session();
    await connectSessions.create(TOKEN, stored);
    expect(await connectSessions.get(TOKEN, stored.expiresAt - 1)).toEqual(stored);
    expect(await connectSessions.get(TOKEN, stored.expiresAt)).toBeUndefined();
    await connectSessions.create(`${TOKEN.slice(0, -2)}cd`, session({ createdAt: 1, expiresAt: 2 }));
    await connectSessions.create(`${TOKEN.slice(0, -2)}ef`, session());
    const rows = await rawQuery<{ n: number | string }>(opened.store, 'SELECT COUNT(*) AS n FROM connect_sessions');
    expect(Number(rows[0]?.n)).toBe(2);
  });

  it('refuses a second session under the same token', async () => {
    const { connectSessions } = opened.store;
    await connectSessions.create(TOKEN, session());
    await expect(connectSessions.create(TOKEN, session())).rejects.toMatchObject({ code: 'storage_error' });
  });
});
