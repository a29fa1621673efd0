import type { ApiHarness } from '../../server/test/helpers/apiHarness';
import { catalogOf, startApi } from '../../server/test/helpers/apiHarness';
import { Nango, NangoError } from '@nangohq/node';

const { Nango: OfficialNango } = require('nango-node-0714') as { Nango: new (options: object) => Official };

/** The official SDK's methods used here, typed by what the contract says they return. */
interface Official {
  listProviders(query?: object): Promise<{ data: Array<{ name: string; logo_url: string }> }>;
  getProvider(params: { provider: string }): Promise<{ data: { name: string; auth_mode: string } }>;
  listIntegrations(): Promise<{ configs: Array<{ unique_key: string; source: string }> }>;
  getIntegration(params: { uniqueKey: string }, queries?: { include?: string[] }): Promise<{ data: Record<string, unknown> }>;
  createIntegration(body: object): Promise<{ data: { unique_key: string; display_name: string } }>;
  updateIntegration(params: { uniqueKey: string }, body: object): Promise<{ data: { unique_key: string; display_name: string } }>;
  deleteIntegration(key: string): Promise<{ status: number; data: unknown }>;
}

const SECRET_KEY = 'e2e-secret-key';
const catalog = catalogOf(
  {
    name: 'github',
    display_name: 'GitHub',
    auth_mode: 'OAUTH2',
    authorization_url: 'https://github.com/login/oauth/authorize',
    token_url: 'https://github.com/login/oauth/access_token',
  },
  {
    name: 'someapi',
    auth_mode: 'API_KEY',
    proxy: { base_url: 'https://api.some.example', headers: { 'x-api-key': '${apiKey}' } },
  },
);
const YAML = `integrations:
  slack:
    auth_mode: OAUTH2
    base_url: https://slack.com/api
`;

/**
 * Both SDKs against the real server (HTTP API alone, fresh SQLite), for the routes of this branch: providers and
 * integrations. Connections, proxy, actions and sessions are exercised end to end by examples/official-node-sdk.mjs.
 */
describe('our SDK and the official 0.71.4 against the server: providers and integrations', () => {
  let api: ApiHarness;
  let ours: Nango;
  let official: Official;
  beforeAll(async () => {
    api = await startApi({ yaml: YAML, catalog, secretKey: SECRET_KEY });
    ours = new Nango({ host: api.url, secretKey: SECRET_KEY });
    official = new OfficialNango({ host: api.url, secretKey: SECRET_KEY });
  });
  afterAll(() => api.stop());

  it('lists and reads providers', async () => {
    for (const client of [ours, official]) {
      const { data } = await client.listProviders({ search: 'git' });
      expect(data.map((provider) => [provider.name, provider.logo_url])).toEqual([
        ['github', 'https://app.nango.dev/images/template-logos/github.svg'],
      ]);
      expect((await client.getProvider({ provider: 'someapi' })).data).toMatchObject({ name: 'someapi', auth_mode: 'API_KEY' });
    }
    await expect(ours.getProvider({ provider: 'nope' })).rejects.toMatchObject({ status: 404, code: 'not_found' });
    await expect(official.getProvider({ provider: 'nope' })).rejects.toMatchObject({ response: { status: 404 } });
  });

  it('runs the integration life cycle with both credential shapes', async () => {
    const made = await official.createIntegration({
      provider: 'github',
      unique_key: 'gh-official',
      display_name: 'GitHub (official SDK)',
      credentials: { type: 'OAUTH2', client_id: 'id-1', client_secret: 'secret-1', scopes: 'repo' },
    });
    expect(made.data).toMatchObject({ unique_key: 'gh-official', display_name: 'GitHub (official SDK)' });
    const ourMade = await ours.createIntegration({
      provider: 'github',
      unique_key: 'gh-ours',
      credentials: { oauth_client_id: 'id-2', oauth_client_secret: 'secret-2' },
    });
    expect(ourMade.data).toMatchObject({ unique_key: 'gh-ours', display_name: 'GitHub', provider: 'github' });
    await ours.createIntegration({ provider: 'someapi', unique_key: 'some' });

    const keys = (await official.listIntegrations()).configs.map((integration) => integration.unique_key);
    expect(keys).toEqual(['gh-official', 'gh-ours', 'slack', 'some']);
    expect((await ours.listIntegrations()).configs.map((integration) => integration.unique_key)).toEqual(keys);

    const theirs = await official.getIntegration({ uniqueKey: 'gh-official' }, { include: ['webhook', 'credentials'] });
    expect(theirs.data.credentials).toMatchObject({ client_id: 'id-1', client_secret: 'secret-1' });
    expect(theirs.data).not.toHaveProperty('webhook_url'); // only the last include reaches the server
    const mine = await ours.getIntegration({ uniqueKey: 'gh-ours' }, { include: ['webhook', 'credentials'] });
    // Where this integration's provider webhooks are received (docs/webhooks.md), on the server's public URL.
    expect(mine.data).toMatchObject({
      webhook_url: expect.stringMatching(/^http:\/\/[^/]+\/webhook\/prod\/gh-ours$/),
      credentials: { type: 'OAUTH2', client_id: 'id-2', client_secret: 'secret-2' },
    });
    expect((await ours.getIntegration({ uniqueKey: 'gh-ours' })).data).not.toHaveProperty('credentials');

    expect((await official.updateIntegration({ uniqueKey: 'gh-official' }, { display_name: 'Renamed' })).data.display_name).toBe(
      'Renamed',
    );
    expect((await ours.updateIntegration({ uniqueKey: 'gh-ours' }, { unique_key: 'gh-ours-2' })).data.unique_key).toBe(
      'gh-ours-2',
    );
    await expect(ours.updateIntegration({ uniqueKey: 'slack' }, { display_name: 'x' })).rejects.toMatchObject({
      status: 409,
      code: 'integration_read_only',
    });

    expect((await official.deleteIntegration('gh-official')).data).toEqual({ success: true });
    expect(await ours.deleteIntegration('gh-ours-2')).toEqual({ success: true });
    const error = await ours.getIntegration({ uniqueKey: 'gh-ours-2' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NangoError);
    expect(error).toMatchObject({ status: 404, code: 'unknown_integration' });
  });

  it('is refused without the secret key', async () => {
    const wrong = new Nango({ host: api.url, secretKey: 'wrong' });
    await expect(wrong.listIntegrations()).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
  });
});
