import { createLogger, Worker } from '@nangohq/server';
import { RATE_FLUSH_MS } from '../../src/api/SharedRateLimitStore';
import { startApi, type ApiHarness } from '../helpers/apiHarness';

const KEY = 'sk-rate-across-processes';
const LIMIT = 5;

describe('the HTTP API rate limit across API processes', () => {
  let first: ApiHarness;
  let second: Worker;

  beforeAll(async () => {
    // An hour's window: windows start on the clock's multiples of it, so the test almost never crosses one.
    const limits = { secretKey: KEY, apiRateLimit: LIMIT, apiRateLimitWindowSeconds: 3600 };
    first = await startApi(limits);
    second = await Worker.start({
      queue: first.queue,
      integrationsYaml: `${first.dir}/integrations.yaml`,
      integrationsDir: first.dir,
      dbPath: first.dbPath,
      watch: false,
      port: 0,
      roles: { rpc: false, http: true },
      logger: createLogger('silent'),
      ...limits,
    });
  });
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
  });

  it('allows the limit once across both processes, not once per process', async () => {
    const statuses: number[] = [];
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 2 * LIMIT; i++) {
      const url = i % 2 === 0 ? first.url : (second.httpUrl as string);
      const response = await fetch(`${url}/connections`, { headers: { authorization: `Bearer ${KEY}` } });
      await response.arrayBuffer();
      statuses.push(response.status);
      remaining.push(response.headers.get('x-ratelimit-remaining'));
      // Past RATE_FLUSH_MS each process reads the shared count before judging: the exact case. Closer together,
      // the limit can be passed by what the other process admitted meanwhile (docs/http-api.md says by how much).
      await new Promise((resolve) => setTimeout(resolve, RATE_FLUSH_MS + 50));
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429, 429, 429]);
    expect(remaining.slice(0, LIMIT)).toEqual(['4', '3', '2', '1', '0']);
  });
});
