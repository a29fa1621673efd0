import { startApi, type ApiHarness } from '../helpers/apiHarness';

// The official SDK 0.71.4, as apps use it.
const { Nango } = require('nango-node-0714') as {
  Nango: new (options: { host: string; secretKey: string }) => {
    createQuickstartIntegration(body: Record<string, unknown>): Promise<unknown>;
    listIntegrations(): Promise<{ configs: unknown[] }>;
  };
};

const KEY = 'quickstart-secret-key';

describe('POST /integrations/quickstart through the official SDK 0.71.4 createQuickstartIntegration', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi({ secretKey: KEY });
  }, 30_000);
  afterAll(() => api?.stop());

  it('refuses with not_supported, saying how to make the integration instead, and makes nothing', async () => {
    const nango = new Nango({ host: api.url, secretKey: KEY });
    const refused = await nango
      .createQuickstartIntegration({ provider: 'github', unique_key: 'gh-quick', display_name: 'GitHub' })
      .then(
        () => undefined,
        (error: { response?: { status: number; data: { error: { code: string; message: string } } } }) => error.response,
      );
    expect(refused?.status).toBe(400);
    expect(refused?.data.error.code).toBe('not_supported');
    expect(refused?.data.error.message).toMatch(/shared developer apps/);
    expect(refused?.data.error.message).toMatch(/POST \/integrations \(createIntegration\)/);
    expect((await nango.listIntegrations()).configs).toEqual([]);
  });

  it('still wants the secret key first', async () => {
    const response = await api.call('/integrations/quickstart', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect([response.status, response.body.error.code]).toEqual([401, 'unauthorized']);
  });
});
