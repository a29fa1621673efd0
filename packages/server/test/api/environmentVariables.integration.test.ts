import { startApi, type ApiHarness } from '../helpers/apiHarness';

// The official SDK 0.71.4, as apps use it.
const { Nango } = require('nango-node-0714') as {
  Nango: new (options: { host: string; secretKey: string }) => {
    getEnvironmentVariables(): Promise<Array<{ name: string; value: string }>>;
  };
};

const KEY = 'env-vars-secret-key';

describe('GET /environment-variables through the official SDK 0.71.4 getEnvironmentVariables', () => {
  let listed: ApiHarness;
  let bare: ApiHarness;

  beforeAll(async () => {
    listed = await startApi({
      secretKey: KEY,
      environmentVariables: { API_BASE: 'https://api.example.com', 'feature flag': 'on', EMPTY: '' },
    });
    bare = await startApi({ secretKey: KEY });
  }, 30_000);
  afterAll(async () => {
    await listed?.stop();
    await bare?.stop();
  });

  it('answers exactly what NANGO_ENVIRONMENT_VARIABLES lists, in its order, and nothing else', async () => {
    const variables = await new Nango({ host: listed.url, secretKey: KEY }).getEnvironmentVariables();
    expect(variables).toEqual([
      { name: 'API_BASE', value: 'https://api.example.com' },
      { name: 'feature flag', value: 'on' },
      { name: 'EMPTY', value: '' },
    ]);
    expect(JSON.stringify(variables)).not.toContain(KEY);
  });

  it('answers [] without the setting', async () => {
    expect(await new Nango({ host: bare.url, secretKey: KEY }).getEnvironmentVariables()).toEqual([]);
  });

  it('needs the secret key', async () => {
    const refused = await new Nango({ host: listed.url, secretKey: 'wrong-key' })
      .getEnvironmentVariables()
      .catch((error: { response?: { status: number; data: unknown } }) => error.response);
    expect(refused).toMatchObject({ status: 401, data: { error: { code: 'unauthorized' } } });
  });
});
