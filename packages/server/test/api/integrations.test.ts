import { readFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import type { IntegrationRegistry } from '../../src/integrations/IntegrationRegistry';
import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';

const catalog = catalogOf(
  {
    name: 'github',
    display_name: 'GitHub',
    auth_mode: 'OAUTH2',
    authorization_url: 'https://github.com/login/oauth/authorize',
    token_url: 'https://github.com/login/oauth/access_token',
    proxy: { base_url: 'https://api.github.com' },
  },
  { name: 'trello', auth_mode: 'OAUTH1', authorization_url: 'https://trello.com/1/OAuthAuthorizeToken' },
  {
    name: 'someapi',
    display_name: 'Some API',
    auth_mode: 'API_KEY',
    proxy: { base_url: 'https://some.example.com', headers: { 'x-api-key': '${apiKey}' } },
  },
);
const YAML = `integrations:
  slack:
    auth_mode: OAUTH2
    base_url: https://slack.com/api
    oauth:
      client_id: slack-client
      client_secret: slack-secret
`;
const SECRET = 'client-secret-that-must-not-leak';
const json = { 'content-type': 'application/json' };
const post = (body: unknown) => ({ method: 'POST', headers: json, body: JSON.stringify(body) });
const patch = (body: unknown) => ({ method: 'PATCH', headers: json, body: JSON.stringify(body) });

describe('the /providers and /integrations routes', () => {
  let api: ApiHarness;
  beforeEach(async () => {
    api = await startApi({ yaml: YAML, catalog });
  });
  afterEach(() => api.stop());

  it('lists providers as catalog entries with name and logo_url, and answers 404 not_found for an unknown one', async () => {
    const list = await api.call('/providers?search=GIT');
    expect(list.body.data).toEqual([
      {
        name: 'github',
        display_name: 'GitHub',
        auth_mode: 'OAUTH2',
        authorization_url: 'https://github.com/login/oauth/authorize',
        token_url: 'https://github.com/login/oauth/access_token',
        proxy: { base_url: 'https://api.github.com' },
        logo_url: 'https://app.nango.dev/images/template-logos/github.svg',
      },
    ]);
    expect((await api.call('/providers')).body.data).toHaveLength(3);
    expect((await api.call('/providers/someapi')).body.data).toMatchObject({ name: 'someapi', auth_mode: 'API_KEY' });
    expect(await api.call('/providers/nope')).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
  });

  it('creates integrations with both credential shapes, lists and reads them, never showing a secret unasked', async () => {
    const made = await api.call(
      '/integrations',
      post({
        provider: 'github',
        unique_key: 'gh',
        display_name: 'GitHub (test)',
        credentials: { oauth_client_id: 'id-1', oauth_client_secret: SECRET },
      }),
    );
    expect(made).toMatchObject({
      status: 200,
      body: {
        data: { unique_key: 'gh', provider: 'github', display_name: 'GitHub (test)', source: 'runtime', auth_mode: 'OAUTH2' },
      },
    });
    expect(
      await api.call(
        '/integrations',
        post({
          provider: 'trello',
          unique_key: 'tr',
          forward_webhooks: true,
          integration_config: { a: 1 },
          credentials: { type: 'OAUTH1', client_id: 'ck', client_secret: 'cs', scopes: ['read', 'write'] },
        }),
      ),
    ).toMatchObject({ status: 200, body: { data: { unique_key: 'tr', forward_webhooks: true, integration_config: { a: 1 } } } });
    expect(await api.call('/integrations', post({ provider: 'someapi', unique_key: 'some' }))).toMatchObject({ status: 200 });

    const list = await api.call('/integrations');
    expect(list.status).toBe(200);
    expect(list.body.data.map((i: { unique_key: string; source: string }) => [i.unique_key, i.source])).toEqual([
      ['gh', 'runtime'],
      ['slack', 'file'],
      ['some', 'runtime'],
      ['tr', 'runtime'],
    ]);
    expect(JSON.stringify(list.body)).not.toContain(SECRET);
    expect(JSON.stringify(list.body)).not.toContain('slack-secret');

    const plain = await api.call('/integrations/gh');
    expect(plain.body.data).not.toHaveProperty('credentials');
    const withWebhook = await api.call('/integrations/gh?include=webhook');
    expect(withWebhook.body.data.webhook_url).toBe(`${api.url}/webhook/prod/gh`);
    expect(withWebhook.body.data).not.toHaveProperty('credentials');
    const withCredentials = await api.call('/integrations/gh?include=webhook&include=credentials');
    expect(withCredentials.body.data.credentials).toEqual({
      type: 'OAUTH2',
      client_id: 'id-1',
      client_secret: SECRET,
      scopes: '',
    });
    expect((await api.call('/integrations/tr?include=credentials')).body.data.credentials).toMatchObject({
      type: 'OAUTH1',
      scopes: 'read,write',
    });
    expect((await api.call('/integrations/some?include=credentials')).body.data.credentials).toBeNull();
    expect((await api.call('/integrations/slack?include=credentials')).body.data).toMatchObject({
      source: 'file',
      credentials: { type: 'OAUTH2', client_id: 'slack-client', client_secret: 'slack-secret' },
    });
    expect(await api.call('/integrations/nope')).toMatchObject({ status: 404, body: { error: { code: 'unknown_integration' } } });
    expect(await api.call('/integrations/gh?include=secrets')).toMatchObject({ status: 400 });
    expect(await api.call('/integrations', { method: 'POST', headers: json, body: '{"provider":' })).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request' } },
    });
    const poisoned = '{"provider":"github","unique_key":"p","__proto__":{"x":1}}';
    expect(await api.call('/integrations', { method: 'POST', headers: json, body: poisoned })).toMatchObject({ status: 400 });
  });

  it('refuses a taken key, an unknown provider, credentials that do not fit the provider, and a bad body', async () => {
    await api.call('/integrations', post({ provider: 'github', unique_key: 'gh' }));
    expect(await api.call('/integrations', post({ provider: 'github', unique_key: 'gh' }))).toMatchObject({
      status: 409,
      body: { error: { code: 'integration_exists' } },
    });
    expect(await api.call('/integrations', post({ provider: 'github', unique_key: 'slack' }))).toMatchObject({
      status: 409,
      body: { error: { code: 'integration_exists' } },
    });
    expect(await api.call('/integrations', post({ provider: 'nope', unique_key: 'x' }))).toMatchObject({
      status: 400,
      body: { error: { code: 'unknown_provider' } },
    });
    const apiKeyWithClient = post({ provider: 'someapi', unique_key: 'x', credentials: { client_id: 'a', client_secret: 'b' } });
    expect(await api.call('/integrations', apiKeyWithClient)).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request' } },
    });
    const wrongType = post({ provider: 'github', unique_key: 'x', credentials: { type: 'APP', app_id: '1' } });
    expect(await api.call('/integrations', wrongType)).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request' } },
    });
    expect(await api.call('/integrations', post({ provider: 'github' }))).toMatchObject({ status: 400 });
    expect(await api.call('/integrations', post({ provider: 'github', unique_key: 'a/b' }))).toMatchObject({ status: 400 });
  });

  it('patches display name, settings and credentials, renames with its Connections, and refuses integrations.yaml ones', async () => {
    await api.call(
      '/integrations',
      post({ provider: 'github', unique_key: 'gh', credentials: { oauth_client_id: 'id-1', oauth_client_secret: SECRET } }),
    );
    const store = await api.store();
    await store.insert({ integration: 'gh', userId: 'u1', credentials: { access_token: 't', raw: {} }, additionalConfig: {} });

    const patched = await api.call(
      '/integrations/gh',
      patch({
        display_name: 'Prod',
        forward_webhooks: true,
        custom: { x: 'ignored' },
        credentials: { client_secret: 'new-secret' },
      }),
    );
    expect(patched).toMatchObject({
      status: 200,
      body: { data: { unique_key: 'gh', display_name: 'Prod', forward_webhooks: true } },
    });
    expect((await api.call('/integrations/gh?include=credentials')).body.data.credentials).toMatchObject({
      client_id: 'id-1',
      client_secret: 'new-secret',
    });

    expect(await api.call('/integrations/gh', patch({ unique_key: 'github-prod' }))).toMatchObject({
      status: 200,
      body: { data: { unique_key: 'github-prod', display_name: 'Prod' } },
    });
    expect(await api.call('/integrations/gh')).toMatchObject({ status: 404 });
    expect(await store.get('github-prod', 'u1')).toBeDefined();
    expect(await store.get('gh', 'u1')).toBeUndefined();

    expect(await api.call('/integrations/github-prod', patch({ unique_key: 'slack' }))).toMatchObject({
      status: 409,
      body: { error: { code: 'integration_exists' } },
    });
    expect(await api.call('/integrations/slack', patch({ display_name: 'x' }))).toMatchObject({
      status: 409,
      body: { error: { code: 'integration_read_only' } },
    });
    expect(await api.call('/integrations/nope', patch({ display_name: 'x' }))).toMatchObject({ status: 404 });
  });

  it('keeps credentials.webhook_secret sealed, never shows it, checks provider webhooks with it, and removes it with an empty one', async () => {
    const WEBHOOK_SECRET = 'webhook-secret-that-must-not-leak';
    const made = await api.call(
      '/integrations',
      post({ provider: 'github', unique_key: 'hooks', credentials: { webhook_secret: WEBHOOK_SECRET }, forward_webhooks: true }),
    );
    expect(made.status).toBe(200);
    expect(made.body.data).toMatchObject({ unique_key: 'hooks', forward_webhooks: true });
    const read = await api.call('/integrations/hooks?include=credentials&include=webhook');
    expect(JSON.stringify([made.body, read.body, (await api.call('/integrations')).body])).not.toContain(WEBHOOK_SECRET);
    // Sealed in the database too: the file holds no copy of it in clear.
    expect(readFileSync(api.dbPath).includes(Buffer.from(WEBHOOK_SECRET))).toBe(false);

    const body = JSON.stringify({ installation: { id: 1 } });
    const signed = (secret: string) => ({
      method: 'POST',
      headers: {
        ...json,
        'x-github-event': 'push',
        'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
      },
      body,
    });
    const wrong = await api.call('/webhook/hooks', signed('another-secret'));
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toMatch(/X-Hub-Signature-256 header does not match/);

    // A PATCH with only the webhook secret (any provider takes it) changes it, '' removes it.
    expect((await api.call('/integrations/hooks', patch({ credentials: { webhook_secret: '' } }))).status).toBe(200);
    const none = await api.call('/webhook/hooks', signed(WEBHOOK_SECRET));
    expect(none.status).toBe(401);
    expect(none.body.error.message).toMatch(/no webhook secret.*credentials\.webhook_secret/);
    for (const line of api.rawLogs) expect(line).not.toContain(WEBHOOK_SECRET);
  });

  it('deletes an integration with its Connections; integrations.yaml ones stay', async () => {
    await api.call('/integrations', post({ provider: 'someapi', unique_key: 'some' }));
    const store = await api.store();
    await store.insert({ integration: 'some', userId: 'u1', credentials: { api_key: 'k', raw: {} }, additionalConfig: {} });
    await store.insert({ integration: 'some', userId: 'u2', credentials: { api_key: 'k', raw: {} }, additionalConfig: {} });
    // As the official SDK sends DELETEs: Content-Type application/json, no body.
    expect(await api.call('/integrations/some', { method: 'DELETE', headers: json })).toMatchObject({
      status: 200,
      body: { success: true },
    });
    expect(await store.listByIntegration('some')).toEqual([]);
    expect(await api.call('/integrations/some', { method: 'DELETE' })).toMatchObject({
      status: 404,
      body: { error: { code: 'unknown_integration' } },
    });
    expect(await api.call('/integrations/slack', { method: 'DELETE' })).toMatchObject({
      status: 409,
      body: { error: { code: 'integration_read_only' } },
    });
  });

  it('answers provider_config_err at /oauth/connect for an OAuth integration made without a client, until a PATCH gives one', async () => {
    await api.call('/integrations', post({ provider: 'github', unique_key: 'bare' }));
    const before = await api.call('/oauth/connect/bare?connection_id=u1', { redirect: 'manual' });
    expect(String(before.body)).toContain('provider_config_err');
    await api.call('/integrations/bare', patch({ credentials: { type: 'OAUTH2', client_id: 'id', client_secret: 's' } }));
    const after = await api.call('/oauth/connect/bare?connection_id=u1', { redirect: 'manual' });
    expect(after.status).toBe(302);
    expect(after.headers.get('location')).toContain('client_id=id');
  });

  it('serves an API-key integration made at run time to the worker with the catalog headers', async () => {
    await api.call('/integrations', post({ provider: 'someapi', unique_key: 'some' }));
    const { registry } = api.worker as unknown as { registry: IntegrationRegistry };
    const config = registry.snapshot().integrations.get('some');
    expect(config?.authMode).toBe('API_KEY');
    expect(config?.baseUrl.source).toBe('https://some.example.com');
  });
});
