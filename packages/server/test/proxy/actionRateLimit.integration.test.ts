import { randomBytes } from 'node:crypto';
import { startHarness, type Harness } from '../helpers/harness';
import { createTestDatabase, type TestDatabase } from '../helpers/pgDatabase';
import { startProviderServer, type ProviderServer } from './providerServer';

describe.each(['sqlite', 'postgres'])(
  "an action's httpRequest and learned rate limits, two workers on one %s database",
  (kind) => {
    let provider: ProviderServer;
    let first: Harness;
    let second: Harness;
    let database: TestDatabase | undefined;
    const keyBefore = process.env['NANGO_ENCRYPTION_KEY'];
    beforeAll(async () => {
      provider = await startProviderServer();
      // `api` is also a fixture folder: its call.action.ts calls httpRequest as told.
      const yaml = `integrations:\n  api:\n    auth_mode: API_KEY\n    base_url: ${provider.url}\n    headers:\n      X-Key: \${api_key}\n`;
      if (kind === 'postgres') {
        database = await createTestDatabase();
        // Both workers read this key: a PostgreSQL store has no key file.
        process.env['NANGO_ENCRYPTION_KEY'] = randomBytes(32).toString('base64');
      }
      const where = database ? { databaseUrl: database.url } : {};
      first = await startHarness({ yaml, rateLimitMaxWaitMs: 0, ...where });
      second = await startHarness({ yaml, rateLimitMaxWaitMs: 5000, ...(database ? where : { dbPath: first.dbPath }) });
      await first.nango.registerConnection('api', 'u1', { api_key: 'k' });
    });
    afterAll(async () => {
      await second.stop();
      await first.stop();
      await provider.close();
      await database?.drop();
      if (keyBefore === undefined) delete process.env['NANGO_ENCRYPTION_KEY'];
      else process.env['NANGO_ENCRYPTION_KEY'] = keyBefore;
    });

    it('learns a 429 from one worker; the other waits it out, and one that may not wait fails fast', async () => {
      provider.handle((_request, response) => response.writeHead(429, { 'retry-after': '2' }).end('limited'));
      const limited = await first.nango.triggerAction('api', 'call', 'u1', { endpoint: '/one' });
      expect(limited).toMatchObject({ success: true, returnValue: { status: 429 } });
      provider.handle((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":1}'));

      await expect(first.nango.triggerAction('api', 'call', 'u1', { endpoint: '/two' })).rejects.toMatchObject({
        code: 'provider_rate_limited',
        message: expect.stringContaining('429 retry-after'),
      });
      const started = Date.now();
      const waited = await second.nango.triggerAction('api', 'call', 'u1', { endpoint: '/three' });
      expect(waited).toMatchObject({ success: true, returnValue: { status: 200 } });
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      expect(provider.seen.map((request) => request.url)).toEqual(['/one', '/three']);
    });
  },
);
