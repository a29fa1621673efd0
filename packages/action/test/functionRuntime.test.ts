import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NangoConnection } from '@nangohq/protocol';
import { ACTION_CONTEXT, type ActionContext, type HostCallArgs } from '../src/context';
import { actionFromFunction } from '../src/fromFunction';
import type { FunctionRuntime } from '../src/functionRuntime';
import { askedWait, withRetries } from '../src/functionRetries';
import type { HttpResponse } from '../src/http';

/** One answer of the local API: status, headers, JSON body. */
interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** A real HTTP server on 127.0.0.1 whose answers the test scripts per request; it records each request's URL and body. */
async function startApi(answer: (url: URL, body: string, n: number) => Answer) {
  const seen: { url: string; body: string }[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ url: req.url ?? '', body });
      const { status = 200, headers = {}, body: out = {} } = answer(new URL(req.url ?? '/', 'http://x'), body, seen.length);
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(out));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return { base, seen, close };
}

const connection: NangoConnection = {
  uuid: 'uuid-1',
  integration: 'echo',
  userId: 'ann',
  dateCreated: '2026-01-01T00:00:00.000Z',
  lastModified: '2026-01-02T00:00:00.000Z',
  additionalConfig: {},
  authorization: 'ok',
  credentials: { access_token: 'tok', raw: {} },
};

/** The worker's answer for an integration whose provider has no catalog `proxy.paginate`. */
const noCatalog = (method: string) =>
  method === 'getIntegration' ? { integration: {}, webhookUrl: '', paginate: undefined } : undefined;

/**
 * A run's context whose httpRequest really calls `base` (a path is joined to it; an absolute URL is used as it is),
 * failing as the worker does on a network error (`http_request_failed`); host calls are answered by `host`.
 */
function contextFor(base: string, host: (method: string, args: HostCallArgs) => unknown = noCatalog) {
  const warnings: string[] = [];
  const calls: [string, HostCallArgs][] = [];
  const context: ActionContext = {
    connection,
    signal: new AbortController().signal,
    logger: { debug: () => {}, info: () => {}, warn: (m: string) => warnings.push(m), error: () => {} },
    httpRequest: async (endpoint, method, params, body, headers) => {
      const url = new URL(/^https?:/.test(endpoint) ? endpoint : `${base}${endpoint}`);
      for (const [name, value] of Object.entries(params ?? {})) if (value != null) url.searchParams.set(name, String(value));
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: { 'content-type': 'application/json', ...headers },
          ...(body !== undefined && { body: JSON.stringify(body) }),
        });
      } catch (error) {
        throw Object.assign(new Error(`request failed: ${String(error)}`), { code: 'http_request_failed' });
      }
      const data = await res.text();
      const json = data === '' ? undefined : (JSON.parse(data) as unknown);
      const response: HttpResponse = {
        ok: res.ok,
        status: res.status,
        statusText: res.statusText,
        headers: Object.fromEntries(res.headers),
        body: json,
        data,
        json,
      };
      return response;
    },
    call: (method, args) => {
      calls.push([method, args]);
      return Promise.resolve(host(method, args));
    },
  };
  return { context, warnings, calls };
}

/** Runs `exec` as a deployed function (no schemas) in `context`; resolves with its result or what it threw. */
async function run(context: ActionContext, exec: (nango: FunctionRuntime) => unknown): Promise<unknown> {
  const { default: Action } = actionFromFunction({ default: { type: 'action', exec } }, 'echo.test');
  const action = new Action();
  action[ACTION_CONTEXT] = context;
  return action.executeAction({}).catch((error: unknown) => error);
}

describe("a function's proxy retries", () => {
  it('retries a 503 with backoff until a 200, and says so in the log', async () => {
    const api = await startApi((_url, _body, n) => (n < 3 ? { status: 503, body: { busy: n } } : { body: { done: true } }));
    try {
      const { context, warnings } = contextFor(api.base);
      const result = await run(context, (nango) => nango.get({ endpoint: '/thing', retries: 3 }));
      expect(result).toMatchObject({ status: 200, data: { done: true } });
      expect(api.seen).toHaveLength(3);
      expect(warnings).toEqual([
        expect.stringMatching(/^GET \/thing: status 503; retry 1 of 3 in \d+ ms$/),
        expect.stringMatching(/^GET \/thing: status 503; retry 2 of 3 in \d+ ms$/),
      ]);
    } finally {
      await api.close();
    }
  });

  it('sends once without retries, and the 503 throws with its response as axios does', async () => {
    const api = await startApi(() => ({ status: 503, body: { busy: true } }));
    try {
      const result = await run(contextFor(api.base).context, (nango) => nango.post({ endpoint: '/thing', data: { a: 1 } }));
      expect(result).toMatchObject({ name: 'AxiosError', message: 'Request failed with status code 503' });
      expect((result as { response: unknown }).response).toMatchObject({ status: 503, data: { busy: true } });
      expect(api.seen).toEqual([{ url: '/thing', body: '{"a":1}' }]);
    } finally {
      await api.close();
    }
  });

  it('waits as long as Retry-After says on a 429, and not at all when it asks for more than a minute', async () => {
    const api = await startApi((url, _body, n) =>
      url.pathname === '/long'
        ? { status: 429, headers: { 'retry-after': '120' } }
        : n === 1
          ? { status: 429, headers: { 'retry-after': '1' } }
          : { body: { ok: true } },
    );
    try {
      const { context } = contextFor(api.base);
      const started = Date.now();
      expect(await run(context, (nango) => nango.get({ endpoint: '/short', retries: 2 }))).toMatchObject({ status: 200 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      const refused = await run(context, (nango) => nango.get({ endpoint: '/long', retries: 2 }));
      expect((refused as { response: { status: number } }).response.status).toBe(429);
      expect(api.seen.filter((request) => request.url === '/long')).toHaveLength(1);
    } finally {
      await api.close();
    }
  });

  it('retries the statuses of retryOn, and not a 4xx outside it', async () => {
    const api = await startApi((url, _body, n) => (n === 1 || url.pathname === '/gone' ? { status: 409 } : { body: { ok: 1 } }));
    try {
      const { context } = contextFor(api.base);
      expect(await run(context, (nango) => nango.get({ endpoint: '/x', retries: 1, retryOn: [409] }))).toMatchObject({
        status: 200,
      });
      const gone = await run(context, (nango) => nango.get({ endpoint: '/gone', retries: 3 }));
      expect((gone as { response: { status: number } }).response.status).toBe(409);
      expect(api.seen.filter((request) => request.url === '/gone')).toHaveLength(1);
    } finally {
      await api.close();
    }
  });

  it('retries a network failure (a closed port), then gives its error', async () => {
    const api = await startApi(() => ({}));
    await api.close();
    const result = await run(contextFor(api.base).context, (nango) => nango.get({ endpoint: '/x', retries: 1 }));
    expect(result).toMatchObject({ code: 'http_request_failed' });
  });

  it('refuses retries that are not a whole number up to 10', async () => {
    const result = await run(contextFor('http://127.0.0.1:9').context, (nango) => nango.get({ endpoint: '/x', retries: 11 }));
    expect(String(result)).toContain('retries must be a whole number from 0 to 10, got 11');
  });

  it('reads Retry-After as seconds or a date, and retryHeader names first', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(askedWait({ 'retry-after': '2' }, undefined, now)).toBe(2000);
    expect(askedWait({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }, undefined, now)).toBe(5000);
    expect(askedWait({ 'x-wait': '3', 'retry-after': '9' }, { after: 'X-Wait' }, now)).toBe(3000);
    expect(askedWait({ 'x-reset': String(now / 1000 + 4) }, { at: ['x-reset'] }, now)).toBe(4000);
    expect(askedWait({ 'retry-after': 'soon' }, undefined, now)).toBeUndefined();
  });

  it('stops waiting when the run is stopped', async () => {
    const controller = new AbortController();
    const busy: HttpResponse = { ok: false, status: 503, statusText: '', headers: {}, body: '', data: '', json: undefined };
    const waiting = withRetries(() => Promise.resolve(busy), { retries: 5 }, { signal: controller.signal });
    controller.abort(new Error('time limit'));
    await expect(waiting).rejects.toThrow('time limit');
  });
});

describe("a function's paginate", () => {
  it('follows a cursor from the call, sending the limit (as text) and telling on_page', async () => {
    const api = await startApi((url) => {
      const cursor = url.searchParams.get('after');
      return { body: { items: cursor === null ? [1, 2] : cursor === 'c2' ? [3] : [], next: cursor === null ? 'c2' : null } };
    });
    try {
      const pages: unknown[] = [];
      const result = await run(contextFor(api.base).context, async (nango) => {
        const all: unknown[] = [];
        const paginate = {
          type: 'cursor' as const,
          cursor_path_in_response: 'next',
          cursor_name_in_request: 'after',
          response_path: 'items',
          limit_name_in_request: 'per_page',
          limit: '2',
          on_page: ({ nextPageParam }: { nextPageParam?: string | number | undefined }) => {
            pages.push(nextPageParam);
            return Promise.resolve();
          },
        };
        for await (const page of nango.paginate({ endpoint: '/list', params: { q: 'x' }, paginate })) all.push(page);
        return all;
      });
      expect(result).toEqual([[1, 2], [3]]);
      expect(pages).toEqual(['c2', undefined]);
      expect(api.seen.map((request) => request.url)).toEqual(['/list?q=x&per_page=2', '/list?q=x&per_page=2&after=c2']);
    } finally {
      await api.close();
    }
  });

  it("takes the provider's catalog proxy.paginate (link in the Link header) from the worker, asked once", async () => {
    let base = '';
    const api = await startApi((url) =>
      url.searchParams.get('page') === '2'
        ? { body: [3] }
        : { headers: { link: `<${base}/list?page=2>; rel="next"` }, body: [1, 2] },
    );
    base = api.base;
    try {
      const { context, calls } = contextFor(api.base, (method) =>
        method === 'getIntegration'
          ? { integration: {}, webhookUrl: '', paginate: { type: 'link', link_rel_in_response_header: 'next' } }
          : undefined,
      );
      const result = await run(context, async (nango) => {
        const all: unknown[] = [];
        for await (const page of nango.paginate({ endpoint: '/list' })) all.push(...page);
        await nango.getWebhookURL();
        return all;
      });
      expect(result).toEqual([1, 2, 3]);
      expect(calls.map(([method]) => method)).toEqual(['getIntegration']);
    } finally {
      await api.close();
    }
  });

  it('pages by offset in a POST body (in_body), with retries on each page', async () => {
    let failed = false;
    const api = await startApi((_url, body) => {
      const { offset } = JSON.parse(body) as { offset: number };
      if (offset === 2 && !failed) {
        failed = true;
        return { status: 502 };
      }
      return { body: { data: offset < 4 ? [offset, offset + 1] : [] } };
    });
    try {
      const result = await run(contextFor(api.base).context, async (nango) => {
        const all: unknown[] = [];
        const paginate = { type: 'offset' as const, offset_name_in_request: 'offset', response_path: 'data', in_body: true };
        for await (const page of nango.paginate({
          endpoint: '/search',
          method: 'POST',
          data: { q: 'x' },
          retries: 2,
          paginate,
        })) {
          all.push(...page);
        }
        return all;
      });
      expect(result).toEqual([0, 1, 2, 3]);
      expect(api.seen.map((request) => request.body)).toEqual([
        '{"q":"x","offset":0}',
        '{"q":"x","offset":2}',
        '{"q":"x","offset":2}',
        '{"q":"x","offset":4}',
      ]);
    } finally {
      await api.close();
    }
  });

  it('names what is wrong: no pagination type, a body that is not an object', async () => {
    const { context } = contextFor('http://127.0.0.1:9');
    const drain = (config: Parameters<FunctionRuntime['paginate']>[0]) =>
      run(context, async (nango) => {
        for await (const page of nango.paginate(config)) void page;
      });
    expect(String(await drain({ endpoint: '/x' }))).toContain("paginate: no pagination type: give paginate: { type: 'cursor'");
    expect(String(await drain({ endpoint: '/x', data: [1], paginate: { type: 'offset' } }))).toContain(
      'nango.paginate: data must be an object',
    );
  });
});

describe("a function's other calls", () => {
  it('joins baseUrlOverride, reads text with responseType, and refuses what it cannot do, naming it', async () => {
    const api = await startApi(() => ({ body: { a: 1 } }));
    try {
      const { context } = contextFor('http://127.0.0.1:9');
      const joined = await run(context, (nango) =>
        nango.get({ endpoint: '/v2/x', baseUrlOverride: `${api.base}/`, responseType: 'text' }),
      );
      expect(joined).toMatchObject({ status: 200, data: '{"a":1}' });
      expect(api.seen.map((request) => request.url)).toEqual(['/v2/x']);
      const stream = await run(context, (nango) => nango.get({ endpoint: '/x', responseType: 'stream' }));
      expect(String(stream)).toContain("nango.proxy: responseType 'stream' is not supported here");
      const other = await run(context, (nango) => nango.get({ endpoint: '/x', connectionId: 'bob' }));
      expect(String(other)).toContain("connectionId 'bob' name another Connection");
      const locks = await run(context, (nango) => nango.tryAcquireLock());
      expect(String(locks)).toContain('nango.tryAcquireLock() is not available on this server');
    } finally {
      await api.close();
    }
  });

  it('asks the worker for triggerAction, another Connection, the webhook URL and the environment variables', async () => {
    const answers: Record<string, unknown> = {
      triggerAction: { child: true },
      getConnection: { ...connection, userId: 'bob', credentials: { api_key: 'k2' } },
      getIntegration: { integration: { unique_key: 'echo', provider: 'github' }, webhookUrl: 'http://h/webhook/prod/echo' },
      getEnvironmentVariables: [{ name: 'A', value: '1' }],
    };
    const { context, calls } = contextFor('http://127.0.0.1:9', (method) => answers[method]);
    const result = await run(context, async (nango) => ({
      child: await nango.triggerAction('echo', 'bob', 'other', { n: 1 }),
      bob: await nango.getConnection('echo', 'bob'),
      own: await nango.getConnection(),
      token: await nango.getToken(),
      url: await nango.getWebhookURL(),
      integration: await nango.getIntegration(),
      variables: await nango.getEnvironmentVariables(),
    }));
    expect(result).toEqual({
      child: { child: true },
      bob: expect.objectContaining({ connection_id: 'bob', credentials: { api_key: 'k2' } }),
      own: expect.objectContaining({ connection_id: 'ann', provider_config_key: 'echo' }),
      token: 'tok',
      url: 'http://h/webhook/prod/echo',
      integration: { unique_key: 'echo', provider: 'github' },
      variables: [{ name: 'A', value: '1' }],
    });
    expect(calls).toEqual([
      ['triggerAction', { integration: 'echo', connectionId: 'bob', action: 'other', input: { n: 1 } }],
      ['getConnection', { integration: 'echo', connectionId: 'bob' }],
      ['getIntegration', {}],
      ['getEnvironmentVariables', {}],
    ]);
    const bad = await run(context, (nango) => nango.triggerAction('echo', '', 'other'));
    expect(String(bad)).toContain("nango.triggerAction(): connectionId must be a non-empty string, got ''");
  });
});
