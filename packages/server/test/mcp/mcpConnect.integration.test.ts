import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';
import { playFlow } from '../helpers/oauthFlow';
import { McpServers } from './mcpServers';

/**
 * /oauth/connect for MCP integrations against a real OAuth server (oidc-provider, in mcpServersProcess.mjs): discovery,
 * registration, the redirect it ends with, and every way it can fail before the user sees the authorization server.
 * The whole flow through the browser is mcpBrowser.integration.test.ts.
 */
describe('the MCP OAuth flow up to the authorization server', () => {
  let servers: McpServers;
  let api: ApiHarness;

  beforeAll(async () => {
    servers = await McpServers.start();
    api = await startApi({
      mcpAllowLocalServers: true,
      yaml: [
        'integrations:',
        '  mcp:',
        '    provider: mcp-generic',
        '  mcp-fresh:',
        '    provider: mcp-generic',
        '  mcp-catalog:',
        '    provider: mcp-catalog',
      ].join('\n'),
      catalog: catalogOf(
        {
          name: 'mcp-generic',
          auth_mode: 'MCP_OAUTH2_GENERIC',
          proxy: { base_url: '${connectionConfig.mcp_server_url}' },
          connection_config: { mcp_server_url: { type: 'string', title: 'MCP server URL' } },
        },
        {
          name: 'mcp-catalog',
          auth_mode: 'MCP_OAUTH2',
          client_registration: 'dynamic',
          authorization_url: `${servers.urls.issuer}/auth`,
          token_url: `${servers.urls.issuer}/token`,
          registration_url: `${servers.urls.issuer}/reg`,
          authorization_params: { resource: servers.urls.resource },
          default_scopes: ['mcp:tools'],
          proxy: { base_url: servers.urls.resource },
        },
      ),
    });
  }, 60_000);

  afterAll(async () => {
    await api?.stop();
    await servers?.stop();
  });

  afterEach(async () => servers.control({ refuseRegistration: false }));

  const connectUrl = (key: string, connectionId: string, serverUrl?: string): string =>
    `${api.url}/oauth/connect/${key}?connection_id=${connectionId}` +
    (serverUrl === undefined ? '' : `&params[mcp_server_url]=${encodeURIComponent(serverUrl)}`);

  /** Where /oauth/connect sends the browser, read without following it. */
  async function redirectOf(url: string): Promise<URL> {
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(302);
    return new URL(response.headers.get('location') as string);
  }

  it('discovers the authorization server of the MCP server, registers a client once, and sends the user there with PKCE and the resource', async () => {
    const before = (await servers.state()).registrations;
    const to = await redirectOf(connectUrl('mcp', 'u-1', servers.urls.resource));
    expect(`${to.origin}${to.pathname}`).toBe(`${servers.urls.issuer}/auth`);
    expect(Object.fromEntries(to.searchParams)).toMatchObject({
      response_type: 'code',
      redirect_uri: `${api.url}/oauth/callback`,
      code_challenge_method: 'S256',
      resource: servers.urls.resource,
      scope: 'mcp:tools',
    });
    expect(to.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const clientId = to.searchParams.get('client_id');
    expect(clientId).toBeTruthy();
    // A second flow to the same authorization server reuses the registered client.
    const again = await redirectOf(connectUrl('mcp', 'u-2', servers.urls.resource));
    expect(again.searchParams.get('client_id')).toBe(clientId);
    expect((await servers.state()).registrations).toBe(before + 1);
  });

  it("finds the metadata through a 401's WWW-Authenticate when the well-known URL has none", async () => {
    const to = await redirectOf(connectUrl('mcp', 'u-3', servers.urls.hidden));
    expect(to.searchParams.get('resource')).toBe(servers.urls.hidden);
  });

  it("registers at a catalog entry's registration_url and sends its resource", async () => {
    const to = await redirectOf(connectUrl('mcp-catalog', 'u-4'));
    expect(`${to.origin}${to.pathname}`).toBe(`${servers.urls.issuer}/auth`);
    expect(to.searchParams.get('resource')).toBe(servers.urls.resource);
    expect(to.searchParams.get('code_challenge_method')).toBe('S256');
  });

  it('refuses an MCP server without metadata, naming every URL it asked and its answer, and stores nothing', async () => {
    const end = await playFlow(connectUrl('mcp', 'bad-1', servers.urls.bare));
    const origin = servers.urls.resourceOrigin;
    expect(end.message.data.error).toEqual({
      type: 'discovery_err',
      message:
        'No OAuth metadata for this MCP server: ' +
        `GET ${origin}/.well-known/oauth-protected-resource/bare: HTTP 404; ` +
        `GET ${origin}/.well-known/oauth-protected-resource: HTTP 404; ` +
        `GET ${origin}/bare: HTTP 401 without WWW-Authenticate resource_metadata; ` +
        `GET ${origin}/.well-known/oauth-authorization-server: HTTP 404; ` +
        `GET ${origin}/.well-known/openid-configuration: HTTP 404`,
    });
    expect((await api.call('/connection/bad-1?provider_config_key=mcp')).status).toBe(404);
  });

  it('refuses a registration the authorization server refuses, with its answer, and keeps no client', async () => {
    await servers.control({ refuseRegistration: true });
    const before = (await servers.state()).registrations;
    const end = await playFlow(connectUrl('mcp-fresh', 'bad-2', servers.urls.resource));
    expect(end.message.data.error).toEqual({
      type: 'registration_err',
      message:
        `The authorization server refused the client registration: POST ${servers.urls.issuer}/reg answered HTTP 400 ` +
        'invalid_client_metadata: registration is closed',
    });
    expect((await api.call('/connection/bad-2?provider_config_key=mcp-fresh')).status).toBe(404);
    // Nothing half-stored: once the server registers again, the next flow registers (no refused client was kept).
    await servers.control({ refuseRegistration: false });
    await redirectOf(connectUrl('mcp-fresh', 'ok-2', servers.urls.resource));
    expect((await servers.state()).registrations).toBe(before + 2);
  });

  it('asks for the MCP server URL when the connect request has none, and refuses one that is not http(s)', async () => {
    const none = await playFlow(connectUrl('mcp', 'bad-4'));
    // The catalog entry's connection_config field is checked first, at every door, before any request.
    expect(none.message.data.error).toMatchObject({
      type: 'invalid_connection_config',
      message: expect.stringContaining('params[mcp_server_url] (MCP server URL) is required'),
    });
    const script = await playFlow(connectUrl('mcp', 'bad-5', 'javascript:alert(1)'));
    expect(script.message.data.error).toEqual({
      type: 'url_param_err',
      message: 'params[mcp_server_url] must be an https URL, not javascript:',
    });
  });
});
