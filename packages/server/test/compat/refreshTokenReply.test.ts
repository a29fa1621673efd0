import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';

const run = promisify(execFile);
const KEY = 'refresh-token-reply-key';

/** What nodeSdk.mjs prints: each method's result, or what it threw. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the SDKs' replies are checked by shape
type Outcome = Record<string, any>;

async function officialSdk(alias: string, url: string): Promise<Outcome> {
  const script = join(__dirname, 'nodeSdk.mjs');
  const { stdout } = await run(process.execPath, [script, alias, url, KEY, 'hub', 'alice'], { cwd: __dirname, timeout: 30_000 });
  return JSON.parse(stdout) as Outcome;
}

/**
 * Who gets the refresh token (contract C.1–C.3.1): spec 3's quick start (node 0.9.0) reads `GET /connection/:id`
 * without `refresh_token` and sees it, as the 2022 server answered; 0.17.6 sends `refresh_token=false` and does not;
 * the modern `/connections/:id` shows it only with `refresh_token=true`.
 */
describe('the refresh token in connection replies', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi({
      secretKey: KEY,
      yaml: 'integrations:\n  hub:\n    provider: mockhub\n    oauth:\n      client_id: c\n      client_secret: s\n',
      catalog: catalogOf({
        name: 'mockhub',
        auth_mode: 'OAUTH2',
        authorization_url: 'http://127.0.0.1:9/authorize',
        token_url: 'http://127.0.0.1:9/token',
        proxy: { base_url: 'http://127.0.0.1:9' },
      }),
    });
    const store = await api.store();
    await store.insert({
      integration: 'hub',
      userId: 'alice',
      credentials: {
        access_token: 'at-1',
        refresh_token: 'rt-1',
        expires_at: new Date(Date.now() + 3600_000).toISOString(),
        raw: { access_token: 'at-1', refresh_token: 'rt-1', token_type: 'bearer' },
      },
      additionalConfig: {},
    });
  });
  afterAll(() => api.stop());

  it('reaches spec 3 through @nangohq/node 0.9.0, unchanged', async () => {
    const outcome = await officialSdk('nango-node-090', api.url);
    expect(outcome['token']).toBe('at-1');
    expect(outcome['raw']).toEqual({ access_token: 'at-1', refresh_token: 'rt-1', token_type: 'bearer' });
    expect(outcome['connection'].credentials).toMatchObject({ type: 'OAUTH2', access_token: 'at-1', refresh_token: 'rt-1' });
  }, 60_000);

  it('is withheld from @nangohq/node 0.17.6, which sends refresh_token=false', async () => {
    const outcome = await officialSdk('nango-node-0176', api.url);
    expect(outcome['token']).toBe('at-1');
    expect(outcome['raw']).toEqual({ access_token: 'at-1', token_type: 'bearer' });
    expect(outcome['connection'].credentials.access_token).toBe('at-1');
    expect(outcome['connection'].credentials).not.toHaveProperty('refresh_token');
  }, 60_000);

  it.each([
    ['/connection/alice?provider_config_key=hub', true],
    ['/connection/alice?provider_config_key=hub&refresh_token=true', true],
    ['/connection/alice?provider_config_key=hub&refresh_token=false', false],
    ['/connections/alice?provider_config_key=hub', false],
    ['/connections/alice?provider_config_key=hub&refresh_token=false', false],
    ['/connections/alice?provider_config_key=hub&refresh_token=true', true],
  ])('GET %s shows it: %s', async (path, shown) => {
    const reply = await api.call(path, { key: KEY });
    expect(reply.status).toBe(200);
    expect(reply.body.credentials.access_token).toBe('at-1');
    expect(reply.body.credentials.refresh_token).toBe(shown ? 'rt-1' : undefined);
    expect(reply.body.credentials.raw.refresh_token).toBe(shown ? 'rt-1' : undefined);
  });
});
