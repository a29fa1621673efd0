import type { NangoConnection } from '@nangohq/protocol';
import { authModeHandler } from '../../src/authModes/handlers';
import type { TokenGrant } from '../../src/authModes/AuthModeHandler';
import { parseIntegrationsConfig } from '../../src/config/loadIntegrationsConfig';
import { allowLocalMcpServers, closeUserHostConnections } from '../../src/net/addressGuard';
import { connectionBaseUrl } from '../../src/outbound/resolveUrl';
import { catalogOf } from '../helpers/apiHarness';
import { startApiServer } from '../helpers/apiServer';

/** Entries shaped as the catalog's MCP ones (hosts made up): dynamic and static registration, and the generic one. */
const catalog = catalogOf(
  {
    name: 'tracker-mcp',
    auth_mode: 'MCP_OAUTH2',
    client_registration: 'dynamic',
    authorization_url: 'https://mcp.tracker.example/authorize',
    token_url: 'https://mcp.tracker.example/token',
    registration_url: 'https://mcp.tracker.example/register',
    authorization_params: { response_type: 'code', resource: 'https://mcp.tracker.example/mcp' },
    proxy: { base_url: 'https://mcp.tracker.example', headers: { accept: 'application/json,text/event-stream' } },
  },
  {
    name: 'tasks-mcp',
    auth_mode: 'MCP_OAUTH2',
    client_registration: 'static',
    authorization_url: 'https://app.tasks.example/oauth_authorize',
    token_url: 'https://app.tasks.example/oauth_token',
    proxy: { base_url: 'https://mcp.tasks.example/v2' },
  },
  {
    name: 'mcp-generic',
    auth_mode: 'MCP_OAUTH2_GENERIC',
    proxy: { base_url: '${connectionConfig.mcp_server_url}' },
  },
  // Entries without proxy.base_url, as two of the catalog's are.
  {
    name: 'bare-mcp',
    auth_mode: 'MCP_OAUTH2',
    client_registration: 'dynamic',
    authorization_url: 'https://mcp.bare.example/authorize',
    token_url: 'https://mcp.bare.example/token',
    registration_url: 'https://mcp.bare.example/register',
  },
  { name: 'bare-generic', auth_mode: 'MCP_OAUTH2_GENERIC' },
);

const config = parseIntegrationsConfig(
  [
    'integrations:',
    '  tracker:',
    '    provider: tracker-mcp',
    '  tasks:',
    '    provider: tasks-mcp',
    '    oauth:',
    '      client_id: own-id',
    '      client_secret: own-secret',
    '  generic:',
    '    provider: mcp-generic',
    '  bare:',
    '    provider: bare-mcp',
    '  bare-generic:',
    '    provider: bare-generic',
  ].join('\n'),
  {
    sourceName: 'integrations.yaml',
    integrationsDir: '/nowhere',
    env: {},
    fileExists: () => true,
    listDir: () => [],
    providers: catalog,
  },
);

function connection(
  integration: string,
  credentials: Record<string, unknown>,
  config: Record<string, unknown> = {},
): NangoConnection {
  return {
    uuid: 'u',
    integration,
    userId: 'user-1',
    dateCreated: '2026-01-01T00:00:00.000Z',
    lastModified: '2026-01-01T00:00:00.000Z',
    additionalConfig: config,
    authorization: 'ok',
    credentials: { raw: {}, access_token: 'at', ...credentials },
  };
}

describe('MCP OAuth handlers', () => {
  const integration = (name: string) => config.integrations.get(name)!;

  it("compile the catalog's entries: MCP_OAUTH2's token URL and headers, MCP_OAUTH2_GENERIC's per-Connection server", () => {
    expect(integration('tracker')).toMatchObject({
      authMode: 'MCP_OAUTH2',
      oauth: { tokenUrl: 'https://mcp.tracker.example/token' },
    });
    expect(integration('tracker').headers.get('accept')?.source).toBe('application/json,text/event-stream');
    expect(integration('generic').authMode).toBe('MCP_OAUTH2_GENERIC');
    // No proxy.base_url: the token URL's origin, or each Connection's server.
    expect(integration('bare').baseUrl.source).toBe('https://mcp.bare.example');
    expect(integration('bare-generic').baseUrl.source).toBe('${additionalConfig.mcp_server_url}');
  });

  it('refresh with the Connection’s registered client and resource, and keep them with the new tokens', async () => {
    const handler = authModeHandler('MCP_OAUTH2_GENERIC');
    const stored = connection('generic', {
      refresh_token: 'rt',
      client_id: 'registered',
      token_endpoint_auth_method: 'none',
      token_url: 'http://127.0.0.1:9/token',
      resource: 'https://mcp.example/mcp',
      mcp_server_url: 'https://mcp.example/mcp',
    });
    const grant = handler.grant?.(integration('generic'), stored, 1_000) as TokenGrant;
    expect('request' in grant).toBe(true);
    const next = grant.credentials(stored.credentials, { access_token: 'at-2', expires_in: 60 }, 0);
    expect(next).toEqual({
      raw: { access_token: 'at-2', expires_in: 60 },
      access_token: 'at-2',
      refresh_token: 'rt',
      expires_at: new Date(60_000).toISOString(),
      client_id: 'registered',
      token_endpoint_auth_method: 'none',
      token_url: 'http://127.0.0.1:9/token',
      resource: 'https://mcp.example/mcp',
      mcp_server_url: 'https://mcp.example/mcp',
    });
  });

  it("refresh at the Connection's own token URL through the address guard: loopback only with local servers allowed", async () => {
    const server = await startApiServer(() => ({ body: { access_token: 'at-2', expires_in: 60 } }));
    try {
      const stored = connection('generic', {
        refresh_token: 'rt',
        client_id: 'registered',
        token_endpoint_auth_method: 'none',
        token_url: `${server.url}/token`,
      });
      const refresh = () =>
        (authModeHandler('MCP_OAUTH2_GENERIC').grant?.(integration('generic'), stored, 1_000) as TokenGrant).request();
      await expect(refresh()).rejects.toMatchObject({
        kind: 'refused',
        message: expect.stringContaining('127.0.0.1 resolves to a loopback or private address'),
      });
      expect(server.requests).toEqual([]);
      allowLocalMcpServers(true);
      await expect(refresh()).resolves.toMatchObject({ access_token: 'at-2' });
      expect(server.requests.map((request) => request.url)).toEqual(['/token']);
    } finally {
      allowLocalMcpServers(false);
      await closeUserHostConnections();
      await server.close();
    }
  });

  it('use the integration’s client and token URL for a static entry, and say what is missing otherwise', () => {
    const handler = authModeHandler('MCP_OAUTH2');
    expect('request' in (handler.grant?.(integration('tasks'), connection('tasks', { refresh_token: 'rt' }), 1_000) ?? {})).toBe(
      true,
    );
    expect(handler.grant?.(integration('generic'), connection('generic', { refresh_token: 'rt' }), 1_000)).toEqual({
      missing:
        "the Connection has no token_url and client_id of the client it was connected with, and integration 'generic' has none either: connect it again through the OAuth flow, which registers one",
    });
    expect(handler.grant?.(integration('tracker'), connection('tracker', {}), 1_000)).toEqual({
      missing: 'the Connection has no refresh_token',
      usableAsIs: true,
    });
  });

  it("send a generic Connection's requests to the server kept with its token, never to its config", () => {
    const stored = connection(
      'generic',
      { mcp_server_url: 'https://mcp.example/mcp' },
      { mcp_server_url: 'https://evil.example' },
    );
    expect(connectionBaseUrl(integration('generic'), stored)).toBe('https://mcp.example/mcp');
    expect(() => connectionBaseUrl(integration('generic'), connection('generic', {}))).toThrow(
      'integration generic (MCP_OAUTH2_GENERIC): this connection has no mcp_server_url credential',
    );
    const headers = new Headers();
    authModeHandler('MCP_OAUTH2').authorise(integration('tracker'), stored, {
      method: 'GET',
      url: new URL('https://x'),
      body: undefined,
      headers,
    });
    expect(headers.get('authorization')).toBe('Bearer at');
  });

  it('refuse malformed client fields on registration, naming them', () => {
    const problems: string[] = [];
    authModeHandler('MCP_OAUTH2_GENERIC').normalise?.(
      { access_token: 'a', client_id: 3, token_endpoint_auth_method: 'private_key_jwt', mcp_server_url: 'javascript:x' },
      { raw: {}, access_token: 'a' },
      problems,
      new Date(0),
    );
    expect(problems).toEqual([
      'client_id must be a non-empty string',
      'token_endpoint_auth_method must be none, client_secret_post or client_secret_basic',
      'mcp_server_url must be an http(s) URL',
    ]);
  });
});
