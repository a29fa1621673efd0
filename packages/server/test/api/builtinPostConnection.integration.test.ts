import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extendProviderCatalog, loadProviderCatalog } from '../../src/providers/loadProviderCatalog';
import { startApi, type ApiHarness } from '../helpers/apiHarness';
import { playFlow } from '../helpers/oauthFlow';

const json = { 'content-type': 'application/json' };

/**
 * Atlassian played locally: its authorize and token endpoints, its accessible-resources list (two sites, as a user
 * with two Jira sites sees it) and the Jira API under /ex/jira/<cloud id>. Everything else of the built-in jira
 * and xero entries is used as written.
 */
async function startAtlassian(): Promise<{ url: string; paths: string[]; close(): Promise<void> }> {
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://atlassian');
    paths.push(`${req.method} ${url.pathname} ${req.headers.authorization ?? ''}`);
    req.resume();
    req.on('end', () => {
      const send = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (url.pathname === '/authorize') {
        const back = new URL(url.searchParams.get('redirect_uri') ?? '');
        back.searchParams.set('code', 'the-code');
        back.searchParams.set('state', url.searchParams.get('state') ?? '');
        return res.writeHead(302, { location: back.href }).end();
      }
      if (url.pathname === '/oauth/token') {
        return send(200, { access_token: 'atl-token', refresh_token: 'atl-refresh', expires_in: 3600, token_type: 'Bearer' });
      }
      if (url.pathname === '/oauth/token/accessible-resources') {
        return send(200, [
          { id: '1324a887-45db-1bf4-1e99-ef0ff456d421', url: 'https://acme.atlassian.net', name: 'acme', scopes: [] },
          { id: '9999a887-45db-1bf4-1e99-ef0ff456d421', url: 'https://other.atlassian.net', name: 'other', scopes: [] },
        ]);
      }
      if (url.pathname === '/connections')
        return send(200, [{ id: 'c-1', tenantId: 'xero-tenant-1', tenantType: 'ORGANISATION' }]);
      if (url.pathname.startsWith('/ex/jira/')) return send(200, { path: url.pathname });
      send(404, { error: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    paths,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("the built-in catalog's post-connection steps (Jira's cloud id, Xero's tenant id)", () => {
  let atlassian: Awaited<ReturnType<typeof startAtlassian>>;
  let api: ApiHarness;

  beforeAll(async () => {
    atlassian = await startAtlassian();
    // The built-in entries, with only their hosts pointed at the local server (a user's NANGO_PROVIDERS_FILE would
    // do the same, field by field).
    const catalog = extendProviderCatalog(
      loadProviderCatalog({}),
      {
        jira: {
          authorization_url: `${atlassian.url}/authorize`,
          token_url: `${atlassian.url}/oauth/token`,
          post_connection: { base_url: atlassian.url },
          proxy: { base_url: `${atlassian.url}/ex/jira/\${connectionConfig.cloudId}` },
        },
        xero: {
          authorization_url: `${atlassian.url}/authorize`,
          token_url: `${atlassian.url}/oauth/token`,
          proxy: { base_url: atlassian.url },
        },
      },
      'test overrides',
    );
    api = await startApi({ catalog });
    for (const provider of ['jira', 'confluence', 'xero']) {
      const created = await api.call('/config', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ provider_config_key: provider, provider, oauth_client_id: 'id', oauth_client_secret: 'secret' }),
      });
      expect(created.status).toBe(200);
    }
  }, 60_000);

  afterAll(async () => {
    await api?.stop();
    await atlassian?.close();
  });

  it('jira: the first accessible site becomes the cloud id every API call carries', async () => {
    const end = await playFlow(`${api.url}/oauth/connect/jira?connection_id=j-1`);
    expect(end.message.eventType).toBe('AUTHORIZATION_SUCEEDED');
    expect(atlassian.paths).toContain('GET /oauth/token/accessible-resources Bearer atl-token');
    const connection = await api.call('/connection/j-1?provider_config_key=jira');
    expect(connection.body.connection_config).toEqual({
      cloudId: '1324a887-45db-1bf4-1e99-ef0ff456d421',
      siteUrl: 'https://acme.atlassian.net',
    });
    const proxied = await api.call('/proxy/rest/api/3/myself', {
      headers: { 'connection-id': 'j-1', 'provider-config-key': 'jira' },
    });
    expect(proxied.body).toEqual({ path: '/ex/jira/1324a887-45db-1bf4-1e99-ef0ff456d421/rest/api/3/myself' });
  });

  it('xero: the first connected organisation is the tenant id, read before the header that needs it exists', async () => {
    const end = await playFlow(`${api.url}/oauth/connect/xero?connection_id=x-1`);
    expect(end.message.eventType).toBe('AUTHORIZATION_SUCEEDED');
    const connection = await api.call('/connection/x-1?provider_config_key=xero');
    expect(connection.body.connection_config).toEqual({ tenantId: 'xero-tenant-1' });
  });
});
