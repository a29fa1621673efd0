import { request } from 'node:http';
import { Readable } from 'node:stream';
import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';
import { startProviderServer, type ProviderServer } from './providerServer';

const MB = 1024 * 1024;
const SIZE = 200 * MB;
const CHUNK = Buffer.alloc(64 * 1024, 'x');

/** `bytes` of 'x', made as they are read. */
function generated(bytes: number): Readable {
  let left = bytes;
  return new Readable({
    read() {
      if (left <= 0) return this.push(null);
      const chunk = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
      left -= chunk.length;
      this.push(chunk);
    },
  });
}

describe('a large body through /proxy', () => {
  let provider: ProviderServer;
  let api: ApiHarness;
  beforeAll(async () => {
    provider = await startProviderServer({ readBody: false });
    api = await startApi({
      yaml: `integrations:\n  gh:\n    auth_mode: OAUTH2\n    base_url: ${provider.url}\n`,
      catalog: catalogOf(),
    });
    const store = await api.store();
    const expires = new Date(Date.now() + 3600_000).toISOString();
    await store.insert({
      integration: 'gh',
      userId: 'u1',
      credentials: { access_token: 'tok', expires_at: expires, raw: {} },
      additionalConfig: {},
    });
  });
  afterAll(async () => {
    await api.stop();
    await provider.close();
  });

  it('streams a 200 MB download and a 200 MB upload without holding them in memory', async () => {
    // The API, the provider and this client share this process: its RSS covers all three.
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
      provider.handle((_request, response, raw) => {
        raw.resume();
        response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(SIZE) });
        generated(SIZE).pipe(response);
      });
      const response = await fetch(`${api.url}/proxy/download`, {
        headers: { 'Connection-Id': 'u1', 'Provider-Config-Key': 'gh' },
      });
      expect(response.status).toBe(200);
      let received = 0;
      for await (const chunk of response.body!) received += (chunk as Uint8Array).byteLength;
      expect(received).toBe(SIZE);

      let uploaded = 0;
      provider.handle((_request, response, raw) => {
        raw.on('data', (chunk: Buffer) => (uploaded += chunk.length));
        raw.on('end', () => response.writeHead(201).end(String(uploaded)));
      });
      const status = await new Promise<number>((resolve, reject) => {
        const upload = request(`${api.url}/proxy/upload`, {
          method: 'PUT',
          headers: {
            'Connection-Id': 'u1',
            'Provider-Config-Key': 'gh',
            'content-type': 'application/zip',
            'content-length': String(SIZE),
          },
        });
        upload.on('response', (reply) => {
          reply.resume();
          resolve(reply.statusCode ?? 0);
        });
        upload.on('error', reject);
        generated(SIZE).pipe(upload);
      });
      expect(status).toBe(201);
      expect(uploaded).toBe(SIZE);
      expect(provider.seen.at(-1)!.headers['content-type']).toBe('application/zip');
    } finally {
      clearInterval(sampler);
    }
    // Far below the 200 MB that buffering either body would take.
    expect((peak - before) / MB).toBeLessThan(120);
  }, 120_000);
});
