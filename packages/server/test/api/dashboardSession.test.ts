import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApi, type ApiHarness } from '../helpers/apiHarness';
import { startApiOn, API_STORES } from '../helpers/apiOnStore';
import { openStore } from '../../src/store/openStore';
import { rawQuery } from '../helpers/storeFactories';

const KEY = 'dashboard-secret-key-never-logged';
const USER = 'ops-admin';
const PASSWORD = 'dashboard-password-never-logged';

// Each API starts a server (and, on PostgreSQL, makes a database): slow on a busy machine.
jest.setTimeout(60_000);

/** Every session token handed out, to check that none reaches the log. */
const tokens: string[] = [];

/** The session cookie of a sign-in reply, as the browser sends it back (`name=value`). */
function cookieOf(headers: Headers): string {
  const setCookie = headers.get('set-cookie') ?? '';
  const pair = setCookie.split(';')[0] ?? '';
  expect(pair).toMatch(/^nango_dashboard_session=[A-Za-z0-9_-]{43}$/);
  tokens.push(pair.slice(pair.indexOf('=') + 1));
  return pair;
}

async function signIn(api: ApiHarness, body: unknown, headers: Record<string, string> = {}) {
  return api.call('/dashboard/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe.each(API_STORES)('dashboard sessions on %s', (kind) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApiOn(kind, { secretKey: KEY, dashboardUser: USER, dashboardPassword: PASSWORD });
  });
  afterAll(() => api?.stop());

  it('tells the sign-in page how to sign in, before any session', async () => {
    const { status, body, headers } = await api.call('/dashboard/session');
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('no-store');
    expect(body).toEqual({ signedIn: false, open: false, methods: ['secret_key', 'password'] });
  });

  it('signs in with the secret key: an HttpOnly, SameSite=Strict cookie that opens the API for reads', async () => {
    const reply = await signIn(api, { secretKey: KEY });
    expect(reply.status).toBe(200);
    const setCookie = reply.headers.get('set-cookie') as string;
    const attributes = setCookie.split(';').map((part) => part.trim().toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(['httponly', 'samesite=strict', 'path=/', 'max-age=43200']));
    expect(attributes).not.toContain('secure'); // http://localhost
    expect(reply.body).toEqual({
      signedIn: true,
      open: false,
      methods: ['secret_key', 'password'],
      user: 'secret key',
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresAt: expect.any(String),
    });
    const cookie = cookieOf(reply.headers);
    expect(Date.parse(reply.body.expiresAt) - Date.now()).toBeGreaterThan(43_000_000);

    const state = await api.call('/dashboard/session', { headers: { cookie } });
    expect(state.body).toEqual(reply.body);
    const list = await api.call('/connections', { headers: { cookie } });
    expect(list).toMatchObject({ status: 200, body: { connections: [] } });
    // Without the cookie (and without the key), the API stays shut.
    expect((await api.call('/connections')).status).toBe(401);
  });

  it('refuses a change made with the cookie but without the CSRF token, or from another origin', async () => {
    const reply = await signIn(api, { secretKey: KEY });
    const cookie = cookieOf(reply.headers);
    const csrf = reply.body.csrfToken as string;
    const post = (headers: Record<string, string>) =>
      api.call('/integrations', {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ unique_key: 'dash-made', provider: 'github' }),
      });
    expect(await post({})).toMatchObject({ status: 403, body: { error: { code: 'invalid_csrf_token' } } });
    expect(await post({ 'x-csrf-token': 'not-the-token' })).toMatchObject({
      status: 403,
      body: { error: { code: 'invalid_csrf_token' } },
    });
    expect(await post({ 'x-csrf-token': csrf, origin: 'https://evil.example' })).toMatchObject({
      status: 403,
      body: { error: { code: 'origin_not_allowed' } },
    });
    // Same origin (the URL the request went to), with the token: it goes through to the route.
    const made = await post({ 'x-csrf-token': csrf, origin: api.url });
    expect(made.status).not.toBe(401);
    expect(made.status).not.toBe(403);
  });

  it('signs in with the user and password; a wrong one is a 401 that sets nothing and says not which part', async () => {
    const good = await signIn(api, { user: USER, password: PASSWORD });
    expect(good.status).toBe(200);
    expect(good.body.user).toBe(USER);
    cookieOf(good.headers);
    for (const body of [
      { user: USER, password: 'wrong' },
      { user: 'someone', password: PASSWORD },
      { secretKey: 'not-the-key' },
    ]) {
      const bad = await signIn(api, body);
      expect(bad.status).toBe(401);
      expect(bad.headers.get('set-cookie')).toBeNull();
      expect(bad.body.error.code).toBe('unauthorized');
      expect(bad.body.error.message).not.toMatch(/password|user|key/i);
    }
  });

  it('names the missing or unknown field of a sign-in', async () => {
    expect((await signIn(api, { user: USER })).body.error).toEqual({
      code: 'invalid_request',
      message: "body must have required property 'password'",
    });
    expect((await signIn(api, { password: PASSWORD })).body.error.message).toBe("body must have required property 'user'");
    expect((await signIn(api, {})).status).toBe(400);
    const extra = await signIn(api, { secretKey: KEY, remember: true });
    expect(extra.status).toBe(400);
    expect(extra.body.error.message).toContain("'remember'");
    const signInFromElsewhere = await signIn(api, { secretKey: KEY }, { origin: 'https://evil.example' });
    expect(signInFromElsewhere.status).toBe(403);
    expect(signInFromElsewhere.headers.get('set-cookie')).toBeNull();
  });

  it('signs out for good: the same cookie is then a 401, on this process and any other', async () => {
    const reply = await signIn(api, { secretKey: KEY });
    const cookie = cookieOf(reply.headers);
    const csrf = reply.body.csrfToken as string;
    expect((await api.call('/connections', { headers: { cookie } })).status).toBe(200);
    // A sign-out is a change like any other: without the token it is refused, and the session lives on.
    expect((await api.call('/dashboard/session', { method: 'DELETE', headers: { cookie } })).status).toBe(403);
    const out = await api.call('/dashboard/session', { method: 'DELETE', headers: { cookie, 'x-csrf-token': csrf } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^nango_dashboard_session=;.*Max-Age=0/);
    const after = await api.call('/connections', { headers: { cookie } });
    expect(after).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    expect(after.body.error.message).toContain('sign in again');
    expect((await api.call('/dashboard/session', { headers: { cookie } })).body.signedIn).toBe(false);
  });

  it('never writes the key, the password, a session token or a cookie to the log', () => {
    const log = api.rawLogs.join('\n');
    expect(log).not.toContain(KEY);
    expect(log).not.toContain(PASSWORD);
    expect(log).not.toContain('nango_dashboard_session=');
    expect(tokens.length).toBeGreaterThanOrEqual(4);
    for (const token of tokens) expect(log).not.toContain(token);
  });
});

describe('dashboard sessions across processes and time', () => {
  let api: ApiHarness;
  let second: ApiHarness;
  beforeAll(async () => {
    api = await startApi({ secretKey: KEY });
    second = await startApi({ secretKey: KEY, dbPath: api.dbPath });
  });
  afterAll(async () => {
    await second?.stop();
    await api?.stop();
  });

  it('holds on another API process of the same database, and ends when it expires', async () => {
    const reply = await signIn(api, { secretKey: KEY });
    const cookie = cookieOf(reply.headers);
    const token = cookie.split('=')[1] as string;
    const read = await second.call('/connections', { headers: { cookie } });
    expect(read.status).toBe(200);
    // The stored row holds the token's hash only; expiring it there ends the session everywhere.
    const { store } = await openStore({}, { kind: 'sqlite', path: api.dbPath });
    try {
      const rows = await rawQuery<Record<string, unknown>>(store, 'SELECT * FROM dashboard_sessions');
      expect(rows).toHaveLength(1);
      expect(JSON.stringify(rows)).not.toContain(token);
      await rawQuery(store, 'UPDATE dashboard_sessions SET expires_at = ?', [Date.now() - 1]);
    } finally {
      await store.close();
    }
    const expired = await api.call('/connections', { headers: { cookie } });
    expect(expired).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    expect(expired.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect((await second.call('/logs/tail', { headers: { cookie } })).status).toBe(401);
  });

  it('authenticates the live tail (EventSource sends cookies) with a session', async () => {
    const cookie = cookieOf((await signIn(api, { secretKey: KEY })).headers);
    const controller = new AbortController();
    const response = await fetch(`${api.url}/logs/tail`, { headers: { cookie }, signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    controller.abort();
  });

  it('keeps a request with the secret key free of any session read', async () => {
    // A key request with a cookie that names no session: the key decides, the cookie is not even looked up.
    const reply = await api.call('/connections', { key: KEY, headers: { cookie: 'nango_dashboard_session=unknown' } });
    expect(reply.status).toBe(200);
  });
});

describe('the dashboard on an open server', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi({});
  });
  afterAll(() => api?.stop());

  it('says it is open, and has nothing to sign in with', async () => {
    expect((await api.call('/dashboard/session')).body).toEqual({ signedIn: false, open: true, methods: [] });
    const reply = await signIn(api, { secretKey: 'anything' });
    expect(reply.status).toBe(400);
    expect(reply.body.error.message).toContain('open');
  });
});

describe('the dashboard with a user and no secret key', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi({ dashboardUser: USER, dashboardPassword: PASSWORD });
  });
  afterAll(() => api?.stop());

  it('asks for its sign-in, while the API itself stays open as before', async () => {
    expect((await api.call('/dashboard/session')).body).toEqual({ signedIn: false, open: false, methods: ['password'] });
    expect((await signIn(api, { secretKey: 'x' })).body.error.message).toContain('body/secretKey');
    expect((await signIn(api, { user: USER, password: PASSWORD })).status).toBe(200);
    expect((await api.call('/connections')).status).toBe(200);
  });
});

describe('the dashboard’s pages', () => {
  let api: ApiHarness;
  let empty: string;
  let unbuilt: ApiHarness;
  let off: ApiHarness;
  beforeAll(async () => {
    api = await startApi({ secretKey: KEY });
    empty = mkdtempSync(join(tmpdir(), 'nango-dashboard-unbuilt-'));
    unbuilt = await startApi({ secretKey: KEY, dashboardDir: empty });
    off = await startApi({ secretKey: KEY, dashboard: false });
  });
  afterAll(async () => {
    await off?.stop();
    await unbuilt?.stop();
    await api?.stop();
    rmSync(empty, { recursive: true, force: true });
  });

  const CSP =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

  it('answers index.html for every page path, without a key, never cached stale, under a strict CSP', async () => {
    for (const path of ['/dashboard', '/dashboard/', '/dashboard/connections', '/dashboard/logs/01ABC?status=failed']) {
      const reply = await api.call(path);
      expect(reply.status).toBe(200);
      expect(reply.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(reply.body).toContain('<div id="app">');
      expect(reply.headers.get('cache-control')).toBe('no-cache');
      expect(reply.headers.get('content-security-policy')).toBe(CSP);
      expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
      expect(reply.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });

  it('serves the hashed files for a year as immutable, and 404 for a file the build does not have', async () => {
    const html = (await api.call('/dashboard')).body as string;
    const files = [...html.matchAll(/(?:src|href)="(\/dashboard\/assets\/[^"]+)"/g)].map((match) => match[1] as string);
    expect(files.length).toBeGreaterThanOrEqual(2); // the script and the stylesheet
    for (const file of files) {
      const reply = await api.call(file);
      expect(reply.status).toBe(200);
      expect(reply.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(reply.headers.get('content-type')).toMatch(/^(text\/javascript|application\/javascript|text\/css)/);
      expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
    }
    expect((await api.call('/dashboard/assets/missing-0000.js')).status).toBe(404);
    expect((await api.call('/dashboard/assets/..%2F..%2Fpackage.json')).status).not.toBe(200);
  });

  it('answers 503 saying to build it when the build is missing', async () => {
    const reply = await unbuilt.call('/dashboard/connections');
    expect(reply.status).toBe(503);
    expect(reply.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(reply.body).toContain('npm run build');
    expect(unbuilt.rawLogs.join('\n')).toContain('the dashboard is not built');
  });

  it('is not there with NANGO_DASHBOARD=off', async () => {
    // Unknown paths, as any other: 404 with the key (and 401 without it, as before).
    for (const path of ['/dashboard', '/dashboard/connections', '/dashboard/session', '/dashboard/assets/x.js']) {
      expect(await off.call(path, { key: KEY })).toMatchObject({ status: 404, body: { error: { code: 'route_not_found' } } });
    }
    const cookie = 'nango_dashboard_session=whatever';
    expect((await off.call('/connections', { headers: { cookie } })).status).toBe(401);
  });

  it('logs the dashboard’s URL at start, next to the API’s', () => {
    const ready = api.logs.find((line) => line['msg'] === 'nango worker ready');
    expect(ready).toMatchObject({ http: api.url, dashboard: `${api.url}/dashboard` });
    expect(off.logs.find((line) => line['msg'] === 'nango worker ready')?.['dashboard']).toBeUndefined();
  });
});
