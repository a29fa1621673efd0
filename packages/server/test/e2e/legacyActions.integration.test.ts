import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NangoError } from '@nangohq/node-client';
import { startHarness, type Harness, type LogLine } from '../helpers/harness';

/**
 * Action files written the way the 2022 product's examples were (fixtures/legacy2022), run unchanged against the
 * worker, the real broker and a local HTTP server playing each API.
 */

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}
interface Answer {
  status?: number;
  body?: unknown;
  /** Sent as is when a string; JSON otherwise. */
  contentType?: string;
}

const PEOPLE = [{ id: 'p1' }, { id: 'p2' }, { id: 'p3' }];

/** The fake APIs, by path. Every answer is JSON text; the content type varies on purpose. */
function answer(req: Seen): Answer {
  const { method, path, query } = req;
  if (path === '/crm/v3/properties/contacts') {
    const results = [
      { name: 'email', groupName: 'contactinformation' },
      { name: 'internal', groupName: 'other' },
      { name: 'firstname', groupName: 'contactinformation' },
    ];
    return { body: { results } };
  }
  if (path === '/crm/v3/objects/contacts') {
    const start = Number(query.get('after') ?? '0');
    const end = start + 2;
    const results = PEOPLE.slice(start, end);
    return { body: end < PEOPLE.length ? { results, paging: { next: { after: String(end) } } } : { results } };
  }
  if (path === '/crm/v3/owners/')
    return { body: { results: query.get('email') === 'ada@example.com' ? [{ id: 'owner-7' }] : [] } };
  if (method === 'POST' && path === '/crm/v3/objects/notes') return { status: 201, body: { id: 'note-1' } };
  if (method === 'PUT' && path.startsWith('/crm/v3/objects/notes/note-1/associations/contact/')) {
    return path.includes('/missing/') ? { status: 404, body: 'no such contact', contentType: 'text/plain' } : { body: {} };
  }
  if (path === '/api/conversations.list') {
    // Served as text/plain: `json` is parsed whatever the content type says.
    const page =
      query.get('cursor') === ''
        ? { ok: true, channels: [{ id: 'C1' }], response_metadata: { next_cursor: 'n2' } }
        : { ok: true, channels: [{ id: 'C2' }], response_metadata: { next_cursor: '' } };
    return { body: JSON.stringify(page), contentType: 'text/plain; charset=utf-8' };
  }
  if (path === '/api/chat.postMessage') return { body: { ok: true } };
  if (path === '/v1.0/me/joinedTeams') return { body: { value: [{ id: 't1', displayName: 'Team one' }] } };
  if (path === '/v1.0/teams/t1/channels')
    return { body: { value: [{ id: 'c1', displayName: 'General', membershipType: 'standard' }] } };
  if (path === '/v1.0/teams/t1/channels/c1/messages') return { status: 201, body: { id: 'm1' } };
  if (path === '/v1.0/teams/t1/channels/locked/messages')
    return { status: 403, body: 'Forbidden: channel locked', contentType: 'text/plain' };
  if (path === '/user/starred/octo/hello') return { status: 204 };
  if (path === '/1.0/users') return { body: { data: [] } };
  if (path === '/2/tweets') return { status: 201, body: { data: { id: '1' } } };
  return { status: 404, body: { error: 'not found' } };
}

const YAML = (api: string) => `
integrations:
  crm:
    auth_mode: OAUTH2
    base_url: ${api}
    actions: { list-people:, add-note:, count: }
  chat:
    auth_mode: OAUTH2
    base_url: ${api}/api
    actions: { list-rooms:, post: }
  teams:
    auth_mode: OAUTH2
    base_url: ${api}/v1.0
    actions: { list:, post: }
  code:
    auth_mode: OAUTH2
    base_url: ${api}
    headers:
      Accept: application/vnd.github.v3+json
    actions: { star: }
  tasks:
    auth_mode: OAUTH2
    base_url: ${api}
    header_precedence: configured
    headers:
      Accept: application/vnd.tasks+json
    actions: { users: }
  tasks-default:
    auth_mode: OAUTH2
    base_url: ${api}
    headers:
      Accept: application/vnd.tasks+json
    actions: { users: }
  social:
    auth_mode: OAUTH1
    base_url: ${api}
    oauth: { client_id: ck, client_secret: cs }
    actions: { post: }
  creds:
    auth_mode: OAUTH2
    base_url: ${api}
    log_level: debug
    actions: { inspect: }
  creds-oauth1:
    auth_mode: OAUTH1
    base_url: ${api}
    oauth: { client_id: ck, client_secret: cs }
    actions: { inspect: }
  creds-apikey:
    auth_mode: API_KEY
    base_url: ${api}
    headers:
      X-Key: \${api_key}
    actions: { inspect: }
  creds-basic:
    auth_mode: USERNAME_PASSWORD
    base_url: ${api}
    actions: { inspect: }
`;

describe('action files written for the 2022 product run unchanged', () => {
  let server: Server;
  let apiUrl: string;
  const seen: Seen[] = [];
  let integrationsDir: string;
  let h: Harness;
  const expiresAt = new Date(Date.now() + 3_600_000);

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://x');
        const request = {
          method: req.method ?? '',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        };
        seen.push(request);
        const { status = 200, body, contentType = 'application/json' } = answer(request);
        if (body === undefined) res.writeHead(status).end();
        else res.writeHead(status, { 'content-type': contentType }).end(typeof body === 'string' ? body : JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    integrationsDir = mkdtempSync(join(tmpdir(), 'nango-legacy-'));
    cpSync(join(__dirname, '..', 'fixtures', 'legacy2022'), integrationsDir, { recursive: true });
    cpSync(join(integrationsDir, 'tasks'), join(integrationsDir, 'tasks-default'), { recursive: true });
    for (const name of ['creds-oauth1', 'creds-apikey', 'creds-basic'])
      cpSync(join(integrationsDir, 'creds'), join(integrationsDir, name), { recursive: true });
    h = await startHarness({ yaml: YAML(apiUrl), integrationsDir });
    for (const integration of ['crm', 'chat', 'teams', 'code', 'tasks', 'tasks-default']) {
      await h.nango.registerConnection(
        integration,
        'u1',
        { access_token: `at-${integration}` },
        integration === 'crm' ? { ownerEmail: 'ada@example.com' } : { roomId: 'C9' },
      );
    }
    await h.nango.registerConnection('social', 'u1', { oauth_token: 'ot', oauth_token_secret: 'ots' });
    await h.nango.registerConnection('creds', 'u1', { access_token: 'at-1', refresh_token: 'rt-1', expires_at: expiresAt });
    await h.nango.registerConnection('creds-oauth1', 'u1', { oauth_token: 'ot', oauth_token_secret: 'ots' });
    await h.nango.registerConnection('creds-apikey', 'u1', { api_key: 'k-1' });
    await h.nango.registerConnection('creds-basic', 'u1', { username: 'ada', password: 'pw' });
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await h?.stop();
    rmSync(integrationsDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    seen.length = 0;
  });

  const run = (integration: string, action: string, input: Record<string, unknown> = {}) =>
    h.nango.triggerAction(integration, action, 'u1', input);
  const fails = async (promise: Promise<unknown>) =>
    (await promise.then(
      () => undefined,
      (e: unknown) => e,
    )) as NangoError;

  it('paginates with response.json and response.data, leaving out a cursor valued null', async () => {
    const { returnValue } = await run('crm', 'list-people', {});
    expect(returnValue).toEqual(PEOPLE);
    const pages = seen.filter((r) => r.path === '/crm/v3/objects/contacts');
    expect(pages).toHaveLength(2);
    // The first page was asked for with `after: null`: no `after` at all, not "null".
    expect(pages[0]?.query.has('after')).toBe(false);
    expect(pages[0]?.query.get('properties')).toBe('email,firstname');
    expect(pages[1]?.query.get('after')).toBe('2');
    expect(pages[0]?.headers.authorization).toBe('Bearer at-crm');
  });

  it('getCurrentConnectionConfig, a 201 read through response.json.id, and an action that returns nothing', async () => {
    const result = await run('crm', 'add-note', { personId: 'p2', text: 'hello', at: '2022-09-01T00:00:00Z' });
    expect(result).toEqual({ success: true, returnValue: undefined });
    expect(seen.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /crm/v3/owners/',
      'POST /crm/v3/objects/notes',
      'PUT /crm/v3/objects/notes/note-1/associations/contact/p2/202',
    ]);
    expect(JSON.parse(seen[1]?.body ?? '')).toEqual({
      properties: { hs_timestamp: '2022-09-01T00:00:00Z', hubspot_owner_id: 'owner-7', hs_note_body: 'hello' },
    });
  });

  it("puts a non-JSON response's text (response.data) in the action's error", async () => {
    const error = await fails(run('crm', 'add-note', { personId: 'missing', text: 'x', at: 'y' }));
    expect(error.code).toBe('action_failed');
    expect(error.errorMsg).toBe('note note-1 made but not linked to missing: no such contact');
  });

  it('a body on a GET is left out with a warning in the action log, not an error', async () => {
    const { returnValue } = await run('crm', 'count', { limit: 3 });
    expect(returnValue).toEqual({ status: 200, statusText: 'OK' });
    expect(seen[0]?.method).toBe('GET');
    expect(seen[0]?.body).toBe('');
    const warning = h.logs.find((line) => String(line.msg).includes('GET cannot send a body'));
    expect(warning).toMatchObject({ level: 40, integration: 'crm', action: 'count', source: 'action' });
  });

  it('reads response.json of a JSON body served as text/plain, following the cursor', async () => {
    const { returnValue } = await run('chat', 'list-rooms');
    expect(returnValue).toEqual([{ id: 'C1' }, { id: 'C2' }]);
    expect(seen.map((r) => r.query.get('cursor'))).toEqual(['', 'n2']);
  });

  it('posts with the Connection default and returns status and statusText', async () => {
    const { returnValue } = await run('chat', 'post', { text: 'hi' });
    expect(returnValue).toEqual({ status: 200, statusText: 'OK' });
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ channel: 'C9', mrkdwn: true, text: 'hi' });
  });

  it('walks nested lists through response.json.value', async () => {
    const { returnValue } = await run('teams', 'list');
    expect(returnValue).toEqual([
      { teamId: 't1', teamName: 'Team one', channels: [{ channelId: 'c1', channelName: 'General', kind: 'standard' }] },
    ]);
  });

  it('loads a file importing a Node built-in, and reports a refused post with the API text', async () => {
    expect(await run('teams', 'post', { teamId: 't1', channelId: 'c1', text: 'hi' })).toEqual({
      success: true,
      returnValue: undefined,
    });
    const error = await fails(run('teams', 'post', { teamId: 't1', channelId: 'locked', text: 'hi' }));
    expect(error.errorMsg).toBe('posting to locked of t1 failed: Forbidden: channel locked');
  });

  it('a 204 gives data "" and json undefined', async () => {
    const { returnValue } = await run('code', 'star', { owner: 'octo', repo: 'hello' });
    expect(returnValue).toEqual({ status: 204, statusText: 'No Content', data: '' });
    expect(seen[0]?.method).toBe('PUT');
  });

  it("header_precedence: configured lets the configured headers win over the call's, as in 2022", async () => {
    await run('tasks', 'users');
    expect(seen[0]?.headers.accept).toBe('application/vnd.tasks+json');
  });

  it("by default the call's own header wins over the configured one", async () => {
    await run('tasks-default', 'users');
    expect(seen[0]?.headers.accept).toBe('application/json');
  });

  it('signs an OAuth 1.0a JSON post', async () => {
    const { returnValue } = await run('social', 'post', { text: 'hello' });
    expect(returnValue).toEqual({ status: 201, statusText: 'Created' });
    expect(seen[0]?.headers.authorization).toMatch(/^OAuth .*oauth_token="ot"/);
  });

  it('offers the credentials under their 2022 names, without changing their JSON', async () => {
    const { returnValue } = await run('creds', 'inspect');
    expect(returnValue).toMatchObject({
      type: 'OAUTH2',
      accessToken: 'at-1',
      refreshToken: 'rt-1',
      expiresAtIsDate: true,
      expiresAtMs: expiresAt.getTime(),
    });
    expect(returnValue.enumerableKeys.sort()).toEqual(['access_token', 'expires_at', 'raw', 'refresh_token']);
    expect(returnValue.asJson).toEqual({
      access_token: 'at-1',
      refresh_token: 'rt-1',
      expires_at: expiresAt.toISOString(),
      raw: { access_token: 'at-1', refresh_token: 'rt-1', expires_at: expiresAt.toISOString() },
    });
    expect((await run('creds-oauth1', 'inspect')).returnValue).toMatchObject({
      type: 'OAUTH1',
      oAuthToken: 'ot',
      oAuthTokenSecret: 'ots',
    });
    expect((await run('creds-apikey', 'inspect')).returnValue).toMatchObject({ type: 'API_KEY', apiKey: 'k-1' });
    expect((await run('creds-basic', 'inspect')).returnValue).toMatchObject({ type: 'USERNAME_PASSWORD', username: 'ada' });
  });

  it("logs through winston's methods at the matching levels, with their fields", async () => {
    const before = h.logs.length;
    await run('creds', 'inspect');
    const lines = h.logs.slice(before).filter((line: LogLine) => line['source'] === 'action');
    const byMsg = Object.fromEntries(lines.map((line) => [line.msg, line]));
    expect(byMsg['an error line']?.level).toBe(50);
    expect(byMsg['a warn line']).toMatchObject({ level: 40, step: 1 });
    expect(byMsg['an info line']?.level).toBe(30);
    for (const msg of ['an http line', 'a verbose line', 'a debug line', 'a silly line']) expect(byMsg[msg]?.level).toBe(20);
    expect(byMsg['a log(level) line']).toMatchObject({ level: 40, step: 2 });
    expect(byMsg['a log(object) line']).toMatchObject({ level: 30, step: 3 });
    expect(byMsg['an object message']).toMatchObject({ level: 30, step: 4 });
  });
});
