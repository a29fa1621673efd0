import { Readable } from 'node:stream';
import { Nango, NangoError, parseRetryAfter } from '@nangohq/node';
import { startCaptureServer, type CaptureServer } from './captureServer';

describe('errors, proxy answers and waitForConnection', () => {
  let server: CaptureServer;
  let reply: (path: string) => { status?: number; body?: unknown; headers?: Record<string, string> };
  let nango: Nango;
  beforeAll(async () => {
    server = await startCaptureServer((request) => reply(request.path));
    nango = new Nango({ host: `${server.url}/`, secretKey: 'secret-key' });
  });
  afterAll(() => server.close());

  it('carries the status, the server error code and message, Retry-After and the body', async () => {
    reply = () => ({
      status: 429,
      body: { error: { code: 'too_many_request', message: 'Slow down' } },
      headers: { 'retry-after': '7' },
    });
    const error = await nango.listIntegrations().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NangoError);
    expect(error).toMatchObject({ code: 'too_many_request', status: 429, retryAfter: 7, message: 'Slow down' });
    expect((error as NangoError).response).toMatchObject({ status: 429, headers: { 'retry-after': '7' } });
  });

  it('answers http_error for a non-2xx without an error code, as for a proxied API error', async () => {
    reply = () => ({ status: 404, body: { message: 'Not Found' } });
    const error = await nango.get({ endpoint: '/missing', providerConfigKey: 'gh', connectionId: 'c1' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'http_error', status: 404, data: { message: 'Not Found' }, retryAfter: undefined });
    expect((error as Error).message).toBe('GET /proxy/missing answered 404');
  });

  it('reads the older { error: "text" } body', async () => {
    reply = () => ({ status: 400, body: { error: 'Missing param provider.' } });
    await expect(nango.getProvider({ provider: 'x' })).rejects.toMatchObject({
      code: 'http_error',
      message: 'Missing param provider.',
    });
  });

  it('turns an unreachable server into network_error without a status', async () => {
    const offline = new Nango({ host: 'http://127.0.0.1:9', secretKey: 'k' });
    await expect(offline.listProviders()).rejects.toMatchObject({
      code: 'network_error',
      status: undefined,
      response: undefined,
    });
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3);
    expect(parseRetryAfter('1.2')).toBe(2);
    expect(parseRetryAfter(new Date(10_500).toUTCString(), 0)).toBe(10);
    expect(parseRetryAfter(new Date(0).toUTCString(), 5_000)).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('refuses to build a client without exactly one key, or with a bad host', () => {
    expect(() => new Nango({})).toThrow(/secretKey/);
    expect(() => new Nango({ secretKey: 'a', apiKey: 'b' })).toThrow(/only one/);
    expect(() => new Nango({ secretKey: 'a', host: 'not a url' })).toThrow(/Invalid URL/);
    expect(new Nango({ apiKey: 'a' }).host).toBe('http://localhost:3003');
  });

  it('reads proxy answers as json, text, arraybuffer and stream', async () => {
    reply = () => ({ body: { hello: 'world' }, headers: { 'x-upstream': 'yes' } });
    const call = { endpoint: '/x', providerConfigKey: 'gh', connectionId: 'c1' };
    expect(await nango.get(call)).toMatchObject({
      status: 200,
      statusText: 'OK',
      data: { hello: 'world' },
      headers: { 'x-upstream': 'yes' },
    });
    expect((await nango.get<string>({ ...call, responseType: 'text' })).data).toBe('{"hello":"world"}');
    const bytes = (await nango.get<ArrayBuffer>({ ...call, responseType: 'arraybuffer' })).data;
    expect(Buffer.from(bytes).toString()).toBe('{"hello":"world"}');
    const stream = (await nango.get<Readable>({ ...call, responseType: 'stream' })).data;
    expect(stream).toBeInstanceOf(Readable);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
    expect(Buffer.concat(chunks).toString()).toBe('{"hello":"world"}');
  });

  it('refuses a proxy call without its ids, and a string query on an endpoint that has one', async () => {
    await expect(nango.proxy({ endpoint: '/x', providerConfigKey: 'gh' } as never)).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    await expect(
      nango.get({ endpoint: '/x?a=1', params: 'b=2', providerConfigKey: 'gh', connectionId: 'c1' }),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  it('waitForConnection polls until the Connection appears', async () => {
    let polls = 0;
    reply = () => {
      polls++;
      return { body: { connections: polls < 3 ? [] : [{ connection_id: 'c9', provider_config_key: 'gh' }] } };
    };
    const found = await nango.waitForConnection('gh', 'u1', { intervalMs: 10 });
    expect(found).toMatchObject({ connection_id: 'c9' });
    expect(polls).toBe(3);
    expect(server.requests.at(-1)?.query).toEqual([['endUserId', 'u1']]);
  });

  it('waitForConnection stops on abort, at once, even mid-wait', async () => {
    reply = () => ({ body: { connections: [] } });
    const controller = new AbortController();
    const waiting = nango.waitForConnection('gh', 'u1', { signal: controller.signal, intervalMs: 60_000 });
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    await expect(waiting).rejects.toMatchObject({ code: 'aborted' });
    expect(Date.now() - started).toBeLessThan(30_000);
    await expect(nango.waitForConnection('gh', 'u1', { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'aborted' });
  });

  it('waitForConnection gives up with timeout', async () => {
    reply = () => ({ body: { connections: [{ connection_id: 'c1', provider_config_key: 'other' }] } });
    await expect(nango.waitForConnection('gh', 'u1', { timeoutMs: 50, intervalMs: 10 })).rejects.toMatchObject({
      code: 'timeout',
    });
  });
});
