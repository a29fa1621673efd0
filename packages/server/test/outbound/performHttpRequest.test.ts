import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NangoConnection } from '@nangohq/protocol';
import type { IntegrationConfig, Template, TemplatePart } from '../../src/config/types';
import { WorkerError } from '../../src/errors';
import { oauth1AuthorizationHeader } from '../../src/signing/oauth1';
import { performHttpRequest, type HttpRequestInput } from '../../src/outbound/performHttpRequest';
import { renderTemplate } from '../../src/config/renderTemplate';
import { parseIntegrationsConfig } from '../../src/config/loadIntegrationsConfig';

/** What the test server received. */
interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
type Handler = (req: Recorded, res: http.ServerResponse) => void;

/** A real HTTP server on 127.0.0.1 that records every request; the handler answers (or never does). */
class TestServer {
  readonly requests: Recorded[] = [];
  handler: Handler = (_req, res) => json(res, 200, { ok: true });
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      this.requests.push(recorded);
      this.handler(recorded, res);
    });
  });

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Destroys open sockets too, so a handler that never answers cannot keep jest alive. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function json(res: http.ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  res.writeHead(status, { 'content-type': contentType });
  res.end(JSON.stringify(body));
}

/** A compiled template: `${name}` is a credential, `${additionalConfig.a.b}` config, `${userId}` the user id. */
function tpl(path: string, source: string): Template {
  const parts: TemplatePart[] = source
    .split(/(\$\{[^}]+\})/)
    .filter(Boolean)
    .map((piece) => {
      const name = /^\$\{([^}]+)\}$/.exec(piece)?.[1];
      if (name === undefined) return piece;
      if (name === 'userId') return { kind: 'userId' };
      return name.startsWith('additionalConfig.')
        ? { kind: 'config', path: name.split('.').slice(1) }
        : { kind: 'credential', field: name };
    });
  return { source, path, parts };
}

let server: TestServer;
let other: TestServer;

function integration(overrides: Partial<IntegrationConfig> & { base?: string } = {}): IntegrationConfig {
  const { base = `${server.origin}/api/`, ...rest } = overrides;
  return {
    name: 'acme',
    authMode: 'API_KEY',
    baseUrl: tpl('integrations.acme.base_url', base),
    headers: new Map(),
    queryParams: new Map(),
    httpTimeoutMs: 2000,
    maxResponseBytes: 8 * 1024 * 1024,
    actionTimeoutMs: 60000,
    logLevel: 'info',
    oauth: undefined,
    actions: new Map(),
    syncs: new Map(),
    ...rest,
  };
}

function connection(credentials: Record<string, unknown> = {}, additionalConfig: Record<string, unknown> = {}): NangoConnection {
  return {
    uuid: 'c0ffee',
    integration: 'acme',
    userId: 'user-1',
    authorization: 'ok',
    dateCreated: '2024-01-01T00:00:00.000Z',
    lastModified: '2024-01-01T00:00:00.000Z',
    additionalConfig,
    credentials: { ...credentials, raw: { ...credentials } },
  };
}

const SECRET = 's3cr3t-do-not-leak';

/** The rejection of `promise`, which must be a WorkerError. */
async function workerError(promise: Promise<unknown>): Promise<WorkerError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkerError);
  return err as WorkerError;
}

beforeEach(async () => {
  server = await new TestServer().start();
  other = await new TestServer().start();
});

afterEach(async () => {
  await Promise.all([server.close(), other.close()]);
});

describe('URL', () => {
  it.each([
    ['/api/', 'chat.postMessage', '/api/chat.postMessage'],
    ['/api', '/chat.postMessage', '/api/chat.postMessage'],
    ['/api/', '/chat.postMessage', '/api/chat.postMessage'],
    ['/api/', '', '/api/'],
    ['', 'users', '/users'],
    ['/api/', '@evil.com', '/api/@evil.com'],
  ])('joins base path %j and endpoint %j into %j', async (basePath, endpoint, expected) => {
    await performHttpRequest(integration({ base: server.origin + basePath }), connection(), {
      endpoint,
      method: 'get',
    });
    expect(server.requests.map((r) => [r.method, r.url])).toEqual([['GET', expected]]);
  });

  it('fills per-connection placeholders in base_url', async () => {
    const config = integration({ base: `${server.origin}/t/\${additionalConfig.tenant.id}` });
    await performHttpRequest(config, connection({}, { tenant: { id: 't42' } }), { endpoint: 'x', method: 'GET' });
    expect(server.requests[0]?.url).toBe('/t/t42/x');
  });

  it('allows an absolute URL on the same origin', async () => {
    const config = integration({ authMode: 'OAUTH2' });
    await performHttpRequest(config, connection({ access_token: 'tok' }), {
      endpoint: `${server.origin}/v2/me?x=1`,
      method: 'GET',
    });
    expect(server.requests[0]).toMatchObject({ url: '/v2/me?x=1', headers: { authorization: 'Bearer tok' } });
  });

  it.each([
    ['another host', () => `${other.origin}/steal`, () => other.origin],
    ['a protocol-relative URL', () => `//${other.origin.slice('http://'.length)}/steal`, () => other.origin],
    [
      'the same host under another name',
      () => server.origin.replace('127.0.0.1', 'localhost'),
      () => server.origin.replace('127.0.0.1', 'localhost'),
    ],
    ['another scheme', () => server.origin.replace('http:', 'https:'), () => server.origin.replace('http:', 'https:')],
    ['a non-http scheme', () => 'file:///etc/passwd', () => 'file:'],
  ])('refuses %s before reading any credential or sending anything', async (_, endpoint, target) => {
    // No access_token and an unset header placeholder: the host check must come first anyway.
    const config = integration({
      authMode: 'OAUTH2',
      headers: new Map([['X-Team', tpl('integrations.acme.headers.X-Team', '${additionalConfig.team}')]]),
    });
    const err = await workerError(
      performHttpRequest(config, connection(), { endpoint: endpoint(), method: 'POST', body: { a: 1 } }),
    );
    expect(err.code).toBe('http_host_not_allowed');
    expect(err.message).toBe(`httpRequest to ${target()} refused: integration acme only calls ${server.origin}`);
    expect([...server.requests, ...other.requests]).toEqual([]);
  });
});

describe('base_url placeholder values', () => {
  const jira = (base = 'https://${additionalConfig.site}.atlassian.net') => integration({ authMode: 'USERNAME_PASSWORD', base });
  const user = (site: unknown) => connection({ username: 'ann', password: SECRET }, { site });
  const refusal =
    "integrations.acme.base_url: ${additionalConfig.site} on this connection must be one DNS label (letters, digits and '-', no dots): it fills one label of the host";

  it('refuses a value that would move the request, and its Basic credentials, to another host', async () => {
    // Before the fix this rendered http://127.0.0.1:<port>/x?.atlassian.net and the test server got the password.
    const site = `${server.origin.slice('http://'.length)}/x?`;
    const err = await workerError(
      performHttpRequest(jira('http://${additionalConfig.site}.atlassian.net'), user(site), { endpoint: '', method: 'GET' }),
    );
    expect([err.code, err.message]).toEqual(['http_request_invalid', refusal]);
    expect([...server.requests, ...other.requests]).toEqual([]);
  });

  it.each([
    ['evil.example/x?'],
    ['evil@x'],
    ['a:1'],
    ['a/b'],
    ['a?b'],
    ['a#b'],
    ['a%2Fb'],
    ['a b'],
    [''],
    ['127.0.0.2'],
    ['0x7f.0.0.2'],
    ['127.0.0.2.'],
    ['127.1'],
    ['[::1]'],
    ['evil.example.com.'],
    ['a_b'],
    ['a~b'],
    ['-a'],
    ['x'.repeat(64)],
  ])('refuses %j in the host without calling fetch or quoting the value', async (site) => {
    const fakeFetch = jest.fn(async () => new Response('{}', { status: 200 }));
    const err = await workerError(
      performHttpRequest(jira(), user(site), { endpoint: 'rest/api/3/myself', method: 'GET' }, fakeFetch),
    );
    expect([err.code, err.message]).toEqual(['http_request_invalid', refusal]);
    expect(fakeFetch).not.toHaveBeenCalled();
  });

  it('fills one label of the fixed domain: a subdomain, or a number, which is then a name and not an address', async () => {
    const fakeFetch = jest.fn(async () => new Response('{}', { status: 200 }));
    await performHttpRequest(jira(), user('My-team-1'), { endpoint: 'rest/api/3/myself', method: 'GET' }, fakeFetch);
    await performHttpRequest(jira(), user(2130706434), { endpoint: '', method: 'GET' }, fakeFetch);
    await performHttpRequest(jira(), user('0x7f'), { endpoint: '', method: 'GET' }, fakeFetch);
    expect(fakeFetch.mock.calls.map((call: unknown[]) => call[0])).toEqual([
      'https://my-team-1.atlassian.net/rest/api/3/myself',
      'https://2130706434.atlassian.net/',
      'https://0x7f.atlassian.net/',
    ]);
  });

  it('refuses a host that a value turns into an IP address, even where the file would let it', async () => {
    const fakeFetch = jest.fn(async () => new Response('{}', { status: 200 }));
    const numeric = jira('http://${additionalConfig.site}.0.0.2'); // config load refuses this; render checks too
    const ip =
      "integrations.acme.base_url: the host made with this connection's values is an IP address, which base_url does not allow";
    for (const [site, message] of [
      ['127', ip],
      ['0x7f', ip],
      ['2130706434', 'integrations.acme.base_url does not render to a valid URL'], // 2130706434.0.0.2 is no address
    ]) {
      const err = await workerError(performHttpRequest(numeric, user(site), { endpoint: '', method: 'GET' }, fakeFetch));
      expect([site, err.code, err.message]).toEqual([site, 'http_request_invalid', message]);
    }
    expect(fakeFetch).not.toHaveBeenCalled();
  });

  it('keeps path values to unreserved characters, dots included', async () => {
    const fakeFetch = jest.fn(async () => new Response('{}', { status: 200 }));
    const versioned = jira('https://api.atlassian.net/${additionalConfig.site}');
    await performHttpRequest(versioned, user('v1.2_x~y'), { endpoint: 'a', method: 'GET' }, fakeFetch);
    expect(fakeFetch.mock.calls.map((call: unknown[]) => call[0])).toEqual(['https://api.atlassian.net/v1.2_x~y/a']);
    const err = await workerError(performHttpRequest(versioned, user('a/b'), { endpoint: 'a', method: 'GET' }, fakeFetch));
    expect(err.message).toBe(
      "integrations.acme.base_url: ${additionalConfig.site} on this connection may hold only letters, digits, '.', '-', '_' and '~'",
    );
  });

  it('leaves header and query param values alone', async () => {
    const config = integration({
      headers: new Map([['X-Q', tpl('integrations.acme.headers.X-Q', '${additionalConfig.q}')]]),
      queryParams: new Map([['q', tpl('integrations.acme.query_params.q', '${additionalConfig.q}')]]),
    });
    await performHttpRequest(config, connection({}, { q: 'a/b?c d' }), { endpoint: 'x', method: 'GET' });
    expect(server.requests[0]).toMatchObject({ url: '/api/x?q=a%2Fb%3Fc+d', headers: { 'x-q': 'a/b?c d' } });
  });
});

describe('response body limit', () => {
  const MiB = 1024 * 1024;
  const limited = (maxResponseBytes: number) => integration({ maxResponseBytes });
  const tooLarge = (max: number, path = '/api/big') =>
    `GET ${server.origin}${path}: the response body is larger than ${max} bytes, the limit of integration acme ` +
    '(max_response_bytes in integrations.yaml); it was not read further';

  /** Streams `total` bytes of JSON-ish text in 64 KiB chunks, as fast as the socket takes them; counts what left. */
  function streamBody(total: number, headers: http.OutgoingHttpHeaders = {}) {
    const sent = { bytes: 0, finished: false };
    server.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', ...headers });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      const pump = (): void => {
        while (sent.bytes < total) {
          sent.bytes += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        sent.finished = true;
        res.end();
      };
      pump();
    };
    return sent;
  }

  it('fails clearly past the limit, without reading the rest of a chunked body', async () => {
    const sent = streamBody(512 * MiB);
    const err = await workerError(performHttpRequest(limited(MiB), connection(), { endpoint: 'big', method: 'GET' }));
    expect([err.code, err.message]).toEqual(['http_response_too_large', tooLarge(MiB)]);
    expect(sent.finished).toBe(false);
    expect(sent.bytes).toBeLessThan(64 * MiB); // what the socket buffers took, not the 512 MiB
  });

  it('refuses a body whose Content-Length is over the limit before reading it', async () => {
    const sent = streamBody(64 * MiB, { 'content-length': 64 * MiB });
    const err = await workerError(performHttpRequest(limited(MiB), connection(), { endpoint: 'big', method: 'GET' }));
    expect([err.code, err.message]).toEqual(['http_response_too_large', tooLarge(MiB)]);
    expect(sent.finished).toBe(false);
  });

  it('reads a body of exactly the limit, and uses 8 MiB when the file says nothing', async () => {
    server.handler = (_req, res) => json(res, 200, { pad: 'x'.repeat(1000 - 10) }); // 1000 bytes of JSON
    const exact = await performHttpRequest(limited(1000), connection(), { endpoint: 'x', method: 'GET' });
    expect(exact.body).toEqual({ pad: 'x'.repeat(990) });
    await expect(performHttpRequest(limited(999), connection(), { endpoint: 'x', method: 'GET' })).rejects.toMatchObject({
      code: 'http_response_too_large',
    });
    streamBody(9 * MiB);
    const yaml =
      'integrations:\n  a:\n    auth_mode: API_KEY\n    base_url: https://a.io\n    query_params:\n      k: ${api_key}\n';
    const config = parseIntegrationsConfig(yaml, { sourceName: 'integrations.yaml', integrationsDir: '/nowhere' });
    expect(config.integrations.get('a')?.maxResponseBytes).toBe(8 * MiB);
    const err = await workerError(
      performHttpRequest(integration({ maxResponseBytes: 8 * MiB }), connection(), { endpoint: 'big', method: 'GET' }),
    );
    expect(err.message).toBe(tooLarge(8 * MiB));
  });
});

describe('query params and headers', () => {
  it('puts configured query params first and lets call params replace them', async () => {
    const queryParams = new Map([
      ['api_key', tpl('integrations.acme.query_params.api_key', '${api_key}')],
      ['format', tpl('integrations.acme.query_params.format', 'xml')],
    ]);
    await performHttpRequest(integration({ queryParams }), connection({ api_key: 'k 1' }), {
      endpoint: 'search?q=a+b',
      method: 'GET',
      params: { format: 'json', limit: 10, archived: false, cursor: undefined, after: null },
    });
    // null and undefined are left out, as the 2022 product's HTTP client did: never "null" on the wire.
    expect(server.requests[0]?.url).toBe('/api/search?api_key=k+1&format=json&q=a+b&limit=10&archived=false');
  });

  it('adds configured headers and lets call headers replace them whatever their case', async () => {
    const headers = new Map([
      ['X-Team', tpl('integrations.acme.headers.X-Team', 'team-${additionalConfig.teamId}')],
      ['X-User', tpl('integrations.acme.headers.X-User', '${userId}')],
      ['Accept', tpl('integrations.acme.headers.Accept', 'application/xml')],
    ]);
    await performHttpRequest(integration({ headers }), connection({}, { teamId: 7 }), {
      endpoint: 'x',
      method: 'GET',
      headers: { accept: 'application/json', 'X-Extra': 'yes' },
    });
    expect(server.requests[0]?.headers).toMatchObject({
      'x-team': 'team-7',
      'x-user': 'user-1',
      accept: 'application/json',
      'x-extra': 'yes',
    });
  });

  it("with header_precedence 'configured', configured headers win, then a JSON body's content-type", async () => {
    const headers = new Map([
      ['Accept', tpl('integrations.acme.headers.Accept', 'application/xml')],
      ['Content-Type', tpl('integrations.acme.headers.Content-Type', 'text/x-configured')],
    ]);
    await performHttpRequest(integration({ headers, headerPrecedence: 'configured' }), connection(), {
      endpoint: 'x',
      method: 'POST',
      body: { a: 1 },
      headers: { accept: 'application/json', 'Content-Type': 'text/x-call', 'X-Extra': 'yes' },
    });
    expect(server.requests[0]?.headers).toMatchObject({
      accept: 'application/xml',
      'content-type': 'application/json',
      'x-extra': 'yes',
    });
  });

  it("with header_precedence 'configured', a configured content-type beats a text body's", async () => {
    const headers = new Map([['Content-Type', tpl('integrations.acme.headers.Content-Type', 'text/csv')]]);
    const config = integration({ headers, headerPrecedence: 'configured' });
    await performHttpRequest(config, connection(), { endpoint: 'x', method: 'POST', body: 'a,b' });
    expect(server.requests[0]?.headers['content-type']).toBe('text/csv');
  });
});

describe('auth modes', () => {
  it('OAUTH2 sends the access token as a Bearer token unless the call sets Authorization', async () => {
    const config = integration({ authMode: 'OAUTH2' });
    await performHttpRequest(config, connection({ access_token: 'at-1' }), { endpoint: 'a', method: 'GET' });
    await performHttpRequest(config, connection({ access_token: 'at-1' }), {
      endpoint: 'b',
      method: 'GET',
      headers: { AUTHORIZATION: 'Token mine' },
    });
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(['Bearer at-1', 'Token mine']);
  });

  it('USERNAME_PASSWORD sends Basic credentials', async () => {
    const config = integration({ authMode: 'USERNAME_PASSWORD' });
    await performHttpRequest(config, connection({ username: 'ann', password: 'pä:ss' }), {
      endpoint: '',
      method: 'GET',
    });
    expect(server.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from('ann:pä:ss').toString('base64')}`);
  });

  it('API_KEY adds nothing but what the templates place, in a header or a query param', async () => {
    const config = integration({
      headers: new Map([['X-Api-Key', tpl('integrations.acme.headers.X-Api-Key', '${api_key}')]]),
      queryParams: new Map([['key', tpl('integrations.acme.query_params.key', '${api_key}')]]),
    });
    await performHttpRequest(config, connection({ api_key: 'ak-9' }), { endpoint: 'x', method: 'GET' });
    expect(server.requests[0]).toMatchObject({ url: '/api/x?key=ak-9', headers: { 'x-api-key': 'ak-9' } });
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('sends basic credentials with one of the two empty (an API key as the username and no password)', async () => {
    const config = integration({ authMode: 'USERNAME_PASSWORD' });
    await performHttpRequest(config, connection({ username: 'key-1', password: '' }), { endpoint: 'x', method: 'GET' });
    await performHttpRequest(config, connection({ username: '', password: 'key-2' }), { endpoint: 'x', method: 'GET' });
    const sent = server.requests.map((request) => request.headers.authorization);
    expect(sent).toEqual([`Basic ${btoa('key-1:')}`, `Basic ${btoa(':key-2')}`]);
    const err = await workerError(
      performHttpRequest(config, connection({ username: '', password: '' }), { endpoint: '', method: 'GET' }),
    );
    expect(err.message).toBe('integration acme (USERNAME_PASSWORD): this connection has an empty username and password');
  });

  it('refuses to call without the credential the auth mode needs, naming the field only', async () => {
    const err = await workerError(
      performHttpRequest(integration({ authMode: 'USERNAME_PASSWORD' }), connection({ username: SECRET }), {
        endpoint: '',
        method: 'GET',
      }),
    );
    expect(err.message).toBe('integration acme (USERNAME_PASSWORD): this connection has no password credential');
    expect(server.requests).toEqual([]);
  });
});

describe('OAUTH1', () => {
  const oauth = {
    clientId: 'ck-1',
    clientSecret: 'cs+/1',
    tokenUrl: undefined,
    clientAuth: 'body' as const,
    refreshMarginSeconds: 900,
  };
  const credentials = { oauth_token: 'tok-1', oauth_token_secret: "ts!'()*" };

  /** RFC 3986 unreserved characters stay; every other byte of the UTF-8 is %XX. Deliberately not our percentEncode. */
  const encode = (text: string): string =>
    [...Buffer.from(text, 'utf8')]
      .map((byte) =>
        /[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte))
          ? String.fromCharCode(byte)
          : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
      )
      .join('');
  const formDecode = (text: string): [string, string][] =>
    text === ''
      ? []
      : text.split('&').map((pair) => {
          const [name = '', value = ''] = pair.split('=');
          return [decodeURIComponent(name.replace(/\+/g, ' ')), decodeURIComponent(value.replace(/\+/g, ' '))];
        });
  const headerFields = (header: string): [string, string][] =>
    [...header.matchAll(/([a-z_]+)="([^"]*)"/g)].map(([, name = '', value = '']) => [name, decodeURIComponent(value)]);

  /** What a provider does: rebuild the base string from the request as received and check the HMAC. */
  function independentSignature(req: Recorded): string {
    const [path = '', query = ''] = req.url.split('?');
    const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    const params = [
      ...formDecode(query),
      ...(isForm ? formDecode(req.body) : []),
      ...headerFields(req.headers.authorization ?? ''),
    ]
      .filter(([name]) => name !== 'oauth_signature')
      .map(([name, value]) => [encode(name), encode(value)])
      .sort(([n1 = '', v1 = ''], [n2 = '', v2 = '']) => (n1 === n2 ? (v1 < v2 ? -1 : 1) : n1 < n2 ? -1 : 1))
      .map(([name, value]) => `${name}=${value}`);
    const text = [req.method, `http://${req.headers.host}${path}`, params.join('&')].map(encode).join('&');
    return createHmac('sha1', `${encode(oauth.clientSecret)}&${encode(credentials.oauth_token_secret)}`)
      .update(text)
      .digest('base64');
  }

  beforeEach(() => {
    server.handler = (req, res) => {
      const sent = new Map(headerFields(req.headers.authorization ?? '')).get('oauth_signature');
      json(res, sent === independentSignature(req) ? 200 : 401, {});
    };
  });

  it.each<[string, HttpRequestInput]>([
    ['a GET with query params', { endpoint: 'photos?file=vacation.jpg', method: 'GET', params: { size: 'orig inal', n: 1 } }],
    [
      'a form-encoded POST, body signed',
      {
        endpoint: 'post',
        method: 'POST',
        body: new URLSearchParams({ status: 'Hi Ladies + Gents, a signed request!', a: '' }),
      },
    ],
    ['a JSON POST, body not signed', { endpoint: 'post', method: 'POST', body: { status: 'hi' } }],
  ])('signs %s so that the provider can verify it', async (_, request) => {
    const res = await performHttpRequest(integration({ authMode: 'OAUTH1', oauth }), connection(credentials), request);
    expect(res.status).toBe(200);

    const received = server.requests[0]!;
    const fields = new Map(headerFields(received.headers.authorization ?? ''));
    expect(fields.get('oauth_consumer_key')).toBe('ck-1');
    expect(fields.get('oauth_token')).toBe('tok-1');
    // Our own signer, fed the request as the server saw it, agrees too.
    const ours = oauth1AuthorizationHeader({
      method: received.method,
      url: server.origin + received.url,
      bodyParams: request.body instanceof URLSearchParams ? new URLSearchParams(received.body) : undefined,
      consumerKey: 'ck-1',
      consumerSecret: oauth.clientSecret,
      token: 'tok-1',
      tokenSecret: credentials.oauth_token_secret,
      nonce: fields.get('oauth_nonce'),
      timestamp: fields.get('oauth_timestamp'),
    });
    expect(ours).toBe(received.headers.authorization);
  });

  it('refuses to sign without the consumer secret', async () => {
    const config = integration({ authMode: 'OAUTH1', oauth: { ...oauth, clientSecret: undefined } });
    const err = await workerError(performHttpRequest(config, connection(credentials), { endpoint: '', method: 'GET' }));
    expect(err.message).toBe('integrations.acme.oauth needs a client_id and client_secret to sign OAUTH1 requests');
  });
});

describe('request body', () => {
  it.each([
    ['an object as JSON', { a: [1, 'x'] }, 'application/json', '{"a":[1,"x"]}'],
    ['a string as text', 'hello', 'text/plain;charset=UTF-8', 'hello'],
    [
      'URLSearchParams as a form',
      new URLSearchParams({ a: '1 2', b: 'é' }),
      'application/x-www-form-urlencoded;charset=UTF-8',
      'a=1+2&b=%C3%A9',
    ],
    ['a Buffer as it is', Buffer.from('raw'), undefined, 'raw'],
    ['a Uint8Array view, only its own bytes', new TextEncoder().encode('xxrawxx').subarray(2, 5), undefined, 'raw'],
    ['an ArrayBuffer', new TextEncoder().encode('raw').buffer, undefined, 'raw'],
  ])('sends %s', async (_, body, contentType, sent) => {
    await performHttpRequest(integration(), connection(), { endpoint: 'x', method: 'post', body });
    expect(server.requests[0]).toMatchObject({ method: 'POST', body: sent });
    expect(server.requests[0]?.headers['content-type']).toBe(contentType);
  });

  it("keeps the caller's content-type", async () => {
    await performHttpRequest(integration(), connection(), {
      endpoint: 'x',
      method: 'PUT',
      body: '<a/>',
      headers: { 'Content-Type': 'application/xml' },
    });
    expect(server.requests[0]?.headers['content-type']).toBe('application/xml');
  });

  it.each(['GET', 'HEAD'])('leaves out a body with %s, telling the action log why', async (method) => {
    const warnings: string[] = [];
    const warn = (message: string) => warnings.push(message);
    await performHttpRequest(integration(), connection(), { endpoint: 'x', method, body: { a: 1 }, warn });
    expect(server.requests.map((r) => [r.method, r.body, r.headers['content-type']])).toEqual([[method, '', undefined]]);
    expect(warnings).toEqual([`httpRequest ${method} cannot send a body: it was left out (send it as params)`]);
  });

  it.each([
    [
      'a body that is not JSON',
      { method: 'POST', body: { n: 1n } },
      'httpRequest body cannot be sent as JSON: Do not know how to serialize a BigInt',
    ],
    [
      'an unknown method',
      { method: 'TRACE' },
      'httpRequest method TRACE is not one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS',
    ],
  ])('refuses %s without sending anything', async (_, request, message) => {
    const err = await workerError(performHttpRequest(integration(), connection(), { endpoint: 'x', ...request }));
    expect([err.code, err.message]).toEqual(['http_request_invalid', message]);
    expect(server.requests).toEqual([]);
  });
});

describe('response', () => {
  // `data` and `json` are the 2022 product's: the text, and the text parsed whatever the content type says.
  it.each([
    ['JSON', 'application/json; charset=utf-8', '{"a":1}', { a: 1 }, { a: 1 }],
    ['+json', 'application/problem+json', '{"title":"x"}', { title: 'x' }, { title: 'x' }],
    ['invalid JSON as text', 'application/json', '{nope', '{nope', undefined],
    ['text', 'text/plain', '{"a":1}', '{"a":1}', { a: 1 }],
    ['text that is not JSON', 'text/html', '<p>hi</p>', '<p>hi</p>', undefined],
    ['a JSON scalar in text', 'text/plain', '42', '42', 42],
    ['an empty JSON body as empty text', 'application/json', '', '', undefined],
  ])('reads %s', async (_, contentType, text, expected, json) => {
    server.handler = (_req, res) => res.writeHead(200, { 'content-type': contentType, 'X-Trace-Id': 't1' }).end(text);
    const res = await performHttpRequest(integration(), connection(), { endpoint: '', method: 'GET' });
    expect(res).toStrictEqual({
      ok: true,
      status: 200,
      statusText: 'OK',
      headers: expect.objectContaining({ 'content-type': contentType, 'x-trace-id': 't1' }),
      body: expected,
      data: text,
      json,
    });
    expect(JSON.parse(JSON.stringify(res))).toEqual(res);
  });

  it('resolves with 4xx and 5xx instead of throwing', async () => {
    server.handler = (_req, res) => json(res, 404, { error: 'not_found' });
    const res = await performHttpRequest(integration(), connection(), { endpoint: 'missing', method: 'DELETE' });
    expect(res).toMatchObject({ ok: false, status: 404, statusText: 'Not Found', body: { error: 'not_found' } });
  });

  it.each([
    ['HEAD', 200],
    ['DELETE', 204],
  ])('gives an empty body for %s %i', async (method, status) => {
    server.handler = (_req, res) => res.writeHead(status, { 'content-type': 'application/json' }).end();
    const res = await performHttpRequest(integration(), connection(), { endpoint: '', method });
    expect([res.status, res.body, res.data, res.json]).toEqual([status, '', '', undefined]);
  });
});

describe('redirects', () => {
  it('follows same-origin redirects with credentials, turning a 302 after POST into a GET', async () => {
    server.handler = (req, res) =>
      req.url === '/api/old' ? res.writeHead(302, { location: '/api/new' }).end() : json(res, 200, { at: req.url });
    const res = await performHttpRequest(integration({ authMode: 'OAUTH2' }), connection({ access_token: 'at' }), {
      endpoint: 'old',
      method: 'POST',
      body: { a: 1 },
    });
    expect(res.body).toEqual({ at: '/api/new' });
    expect(server.requests.map((r) => [r.method, r.url, r.headers.authorization, r.body])).toEqual([
      ['POST', '/api/old', 'Bearer at', '{"a":1}'],
      ['GET', '/api/new', 'Bearer at', ''],
    ]);
  });

  it('keeps the method and body through a 307', async () => {
    server.handler = (req, res) =>
      req.url === '/api/old' ? res.writeHead(307, { location: '/api/new' }).end() : json(res, 200, {});
    await performHttpRequest(integration(), connection(), { endpoint: 'old', method: 'PUT', body: 'x' });
    expect(server.requests.map((r) => [r.method, r.url, r.body])).toEqual([
      ['PUT', '/api/old', 'x'],
      ['PUT', '/api/new', 'x'],
    ]);
  });

  it('returns a redirect to another origin as it is, and the other origin sees nothing', async () => {
    server.handler = (_req, res) => res.writeHead(302, { location: `${other.origin}/x` }).end('moved');
    const config = integration({
      headers: new Map([['X-Api-Key', tpl('integrations.acme.headers.X-Api-Key', '${api_key}')]]),
    });
    const res = await performHttpRequest(config, connection({ api_key: SECRET }), { endpoint: '', method: 'GET' });
    expect(res).toMatchObject({ status: 302, ok: false, headers: { location: `${other.origin}/x` }, body: 'moved' });
    expect(other.requests).toEqual([]);
  });

  it('stops after 5 redirects and returns the sixth', async () => {
    server.handler = (req, res) => res.writeHead(301, { location: `${req.url}x` }).end();
    const res = await performHttpRequest(integration(), connection(), { endpoint: 'r', method: 'GET' });
    expect([res.status, server.requests.length]).toEqual([301, 6]);
  });
});

describe('failures', () => {
  it('times out after httpTimeoutMs, naming method, origin and path but not the query string', async () => {
    server.handler = () => undefined; // never answers; afterEach destroys the socket
    const config = integration({
      httpTimeoutMs: 200,
      queryParams: new Map([['key', tpl('integrations.acme.query_params.key', '${api_key}')]]),
    });
    const err = await workerError(
      performHttpRequest(config, connection({ api_key: SECRET }), { endpoint: 'slow', method: 'GET' }),
    );
    expect([err.code, err.message]).toEqual(['http_request_failed', `GET ${server.origin}/api/slow timed out after 200 ms`]);
  });

  it('reports a network error with its cause', async () => {
    const closed = server.origin;
    await server.close();
    const err = await workerError(
      performHttpRequest(integration({ base: closed }), connection(), {
        endpoint: 'x',
        method: 'GET',
        params: { key: SECRET },
      }),
    );
    expect(err.message).toBe(`GET ${closed}/x failed: connect ECONNREFUSED ${closed.slice('http://'.length)}`);
  });

  describe('with placeholders in base_url', () => {
    // The rendered value must not show: it comes from the Connection, like a tenant's subdomain. (Here it fills a
    // path segment: a placeholder in the host needs a domain of its own, which a test on 127.0.0.1 cannot have.)
    const base = () => `http://127.0.0.1:${new URL(server.origin).port}/\${additionalConfig.tenant}/api/`;
    const tenant = () => connection({ api_key: SECRET }, { tenant: 'tenant-of-the-connection' });

    it('names base_url as written and the endpoint without its query string in a timeout', async () => {
      server.handler = () => undefined;
      const config = integration({ base: base(), httpTimeoutMs: 200 });
      const err = await workerError(performHttpRequest(config, tenant(), { endpoint: '/slow?page=2', method: 'GET' }));
      expect([err.code, err.message]).toEqual(['http_request_failed', `GET /slow on ${base()} timed out after 200 ms`]);
      expect(err.message).not.toContain('tenant-of-the-connection');
      expect(server.requests).toHaveLength(1);
    });

    it('gives only the code of a network error, whose message would name the host', async () => {
      const config = integration({ base: base() });
      const { source } = config.baseUrl;
      await server.close();
      const err = await workerError(performHttpRequest(config, tenant(), { endpoint: '', method: 'GET' }));
      expect(err.message).toBe(`GET ${source} failed: ECONNREFUSED`);
    });

    it('names base_url as written when refusing another host', async () => {
      const config = integration({ base: base() });
      const err = await workerError(performHttpRequest(config, tenant(), { endpoint: `${other.origin}/x`, method: 'GET' }));
      expect([err.code, err.message]).toEqual([
        'http_host_not_allowed',
        `httpRequest to ${other.origin} refused: integration acme only calls ${base()}`,
      ]);
    });
  });

  it("rethrows the caller's abort reason", async () => {
    const caller = new AbortController();
    const reason = new Error('run timed out');
    server.handler = () => caller.abort(reason);
    await expect(
      performHttpRequest(integration(), connection(), { endpoint: 'x', method: 'GET', signal: caller.signal }),
    ).rejects.toBe(reason);
  });

  it('names the template and placeholder of a missing or non-scalar value, never a credential', async () => {
    const headers = new Map([
      ['Authorization', tpl('integrations.acme.headers.Authorization', 'Bearer ${api_key}')],
      ['X-Team', tpl('integrations.acme.headers.X-Team', '${additionalConfig.teamId}')],
    ]);
    const call = (config: Record<string, unknown>) =>
      workerError(
        performHttpRequest(integration({ headers }), connection({ api_key: SECRET }, config), {
          endpoint: '',
          method: 'GET',
        }),
      );
    const missing = await call({});
    expect([missing.code, missing.message]).toEqual([
      'http_request_invalid',
      'integrations.acme.headers.X-Team: ${additionalConfig.teamId} is not set on this connection',
    ]);
    const nested = await call({ teamId: { secret: SECRET } });
    expect(nested.message).toBe(
      'integrations.acme.headers.X-Team: ${additionalConfig.teamId} on this connection is an object, not a string, number or boolean',
    );
    expect(JSON.stringify([missing.message, nested.message, String(missing.cause), String(nested.cause)])).not.toContain(SECRET);
    expect(server.requests).toEqual([]);
  });

  it('refuses a credential that is not a valid header value without quoting it', async () => {
    const err = await workerError(
      performHttpRequest(integration({ authMode: 'OAUTH2' }), connection({ access_token: `${SECRET}\r\nX-Evil: 1` }), {
        endpoint: '',
        method: 'GET',
      }),
    );
    expect(err.message).toBe("the authorization header made from this connection's credentials is not a valid header value");
    expect(String(err.cause)).not.toContain(SECRET);
  });

  it('passes redirect: manual to fetch', async () => {
    const fakeFetch = jest.fn(async () => new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } }));
    await performHttpRequest(integration(), connection(), { endpoint: 'x', method: 'GET' }, fakeFetch);
    expect(fakeFetch).toHaveBeenCalledWith(
      `${server.origin}/api/x`,
      expect.objectContaining({ method: 'GET', redirect: 'manual' }),
    );
  });
});

describe('renderTemplate', () => {
  it('joins literals, credentials, config paths and the user id', () => {
    const template = tpl(
      'integrations.acme.base_url',
      'https://${additionalConfig.sub.domain}.x.com/${userId}/${api_key}/${additionalConfig.n}',
    );
    expect(renderTemplate(template, connection({ api_key: 'k' }, { sub: { domain: 'eu' }, n: 3 }))).toBe(
      'https://eu.x.com/user-1/k/3',
    );
  });

  it('as a base_url, refuses a value that does not fit where it stands, without quoting it', () => {
    const template = tpl('p', 'https://${additionalConfig.site}.x.com/${userId}');
    const render = (site: unknown) => () => renderTemplate(template, connection({}, { site }), { baseUrl: true });
    expect(render('eu-1')()).toBe('https://eu-1.x.com/user-1');
    expect(render(`${SECRET}@evil`)).toThrow(
      new WorkerError(
        'http_request_invalid',
        "p: ${additionalConfig.site} on this connection must be one DNS label (letters, digits and '-', no dots): it fills one label of the host",
      ),
    );
    expect(() => renderTemplate(template, connection({}, { site: 'a/b' }))).not.toThrow();
  });

  it("treats inherited properties as missing, so ${additionalConfig.constructor} is not Object's", () => {
    expect(() => renderTemplate(tpl('p', '${additionalConfig.constructor}'), connection())).toThrow(
      'p: ${additionalConfig.constructor} is not set on this connection',
    );
    expect(() => renderTemplate(tpl('p', '${raw}'), connection({ raw: SECRET }))).toThrow(
      'p: ${raw} on this connection is an object, not a string, number or boolean',
    );
  });
});
