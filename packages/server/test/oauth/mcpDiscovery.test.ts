import { answerNames } from '../helpers/answerNames';
import { startApiServer, type ApiServer } from '../helpers/apiServer';
import { closeUserHostConnections } from '../../src/net/addressGuard';
import { discoverMcpAuthorization } from '../../src/oauth/mcp/discoverMcpAuthorization';
import { checkMcpUrl } from '../../src/oauth/mcp/mcpUrls';
import { registerMcpClient } from '../../src/oauth/mcp/registerMcpClient';

/** What the mock answers per path; each test sets its own. */
let routes: Record<string, { status?: number; body?: unknown }> = {};

describe('MCP discovery and registration, against a hand-made server', () => {
  let server: ApiServer;
  const local = { allowLocal: true };

  beforeAll(async () => {
    server = await startApiServer((request) => {
      const route = routes[new URL(request.url, 'http://x').pathname];
      return route ? { status: route.status ?? 200, body: route.body } : { status: 404, body: {} };
    });
  });
  afterAll(async () => {
    await server?.close();
    await closeUserHostConnections();
  });

  const metadata = (issuer: string, extra: Record<string, unknown> = {}) => ({
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    registration_endpoint: `${issuer}/register`,
    code_challenge_methods_supported: ['S256'],
    ...extra,
  });

  it('reads RFC 8414 metadata of a path issuer, and takes OpenID Discovery when there is none', async () => {
    const issuer = `${server.url}/tenant`;
    routes = {
      '/.well-known/oauth-protected-resource/mcp': { body: { resource: `${server.url}/mcp`, authorization_servers: [issuer] } },
      '/tenant/.well-known/openid-configuration': { body: metadata(issuer, { scopes_supported: ['read', 'write'] }) },
    };
    await expect(discoverMcpAuthorization(`${server.url}/mcp`, { policy: local, timeoutMs: 2_000 })).resolves.toEqual({
      resource: `${server.url}/mcp`,
      issuer,
      authorizationEndpoint: `${issuer}/authorize`,
      tokenEndpoint: `${issuer}/token`,
      registrationEndpoint: `${issuer}/register`,
      scopes: ['read', 'write'],
      tokenEndpointAuthMethods: undefined,
    });
    routes['/.well-known/oauth-authorization-server/tenant'] = { body: metadata(issuer, { token_endpoint: `${issuer}/t2` }) };
    const found = await discoverMcpAuthorization(`${server.url}/mcp`, { policy: local, timeoutMs: 2_000 });
    expect(found.tokenEndpoint).toBe(`${issuer}/t2`);
  });

  it('refuses a javascript: endpoint, an issuer that is not the one asked, metadata for another resource, and no S256', async () => {
    const issuer = server.url;
    const prm = {
      '/.well-known/oauth-protected-resource/mcp': { body: { resource: `${server.url}/mcp`, authorization_servers: [issuer] } },
    };
    const discover = () => discoverMcpAuthorization(`${server.url}/mcp`, { policy: local, timeoutMs: 2_000 });
    routes = {
      ...prm,
      '/.well-known/oauth-authorization-server': { body: metadata(issuer, { authorization_endpoint: 'javascript:alert(1)' }) },
    };
    await expect(discover()).rejects.toMatchObject({
      type: 'discovery_err',
      message: `authorization_endpoint in the authorization server metadata at ${server.url}/.well-known/oauth-authorization-server must be an https URL, not javascript:`,
    });
    routes = { ...prm, '/.well-known/oauth-authorization-server': { body: metadata('https://other.example') } };
    await expect(discover()).rejects.toThrow(/has issuer "https:\/\/other.example", not .* as it must \(RFC 8414 section 3.3\)/);
    routes = {
      ...prm,
      '/.well-known/oauth-authorization-server': { body: metadata(issuer, { code_challenge_methods_supported: ['plain'] }) },
    };
    await expect(discover()).rejects.toThrow('does not support PKCE with S256, which MCP requires');
    routes = {
      '/.well-known/oauth-protected-resource/mcp': {
        body: { resource: `${server.url}/elsewhere`, authorization_servers: [issuer] },
      },
    };
    await expect(discover()).rejects.toThrow(`is for ${server.url}/elsewhere, not for the MCP server ${server.url}/mcp`);
    routes = { '/.well-known/oauth-protected-resource/mcp': { status: 503, body: {} } };
    await expect(discover()).rejects.toThrow(
      `The protected-resource metadata could not be fetched: GET ${server.url}/.well-known/oauth-protected-resource/mcp answered HTTP 503`,
    );
  });

  it('sends discovery through the address guard: a name is judged by the addresses it resolves to', async () => {
    const restore = answerNames({ 'mcp.acme.test': '127.0.0.1', 'metadata.acme.test': '169.254.169.254' });
    try {
      const { port } = new URL(server.url);
      const issuer = `http://mcp.acme.test:${port}`;
      routes = {
        '/.well-known/oauth-protected-resource/mcp': { body: { resource: `${issuer}/mcp`, authorization_servers: [issuer] } },
        '/.well-known/oauth-authorization-server': { body: metadata(issuer) },
      };
      const before = server.requests.length;
      // Not allowed local servers: https passes checkMcpUrl, the name's loopback address does not pass the guard.
      const discover = (url: string, allowLocal: boolean) =>
        discoverMcpAuthorization(url, { policy: { allowLocal }, timeoutMs: 2_000 });
      await expect(discover(`https://mcp.acme.test:${port}/mcp`, false)).rejects.toMatchObject({
        type: 'discovery_err',
        message: expect.stringContaining('mcp.acme.test resolves to a loopback or private address'),
      });
      await expect(discover(`http://metadata.acme.test:${port}/mcp`, true)).rejects.toThrow(
        'metadata.acme.test resolves to a link-local or cloud metadata address',
      );
      expect(server.requests.length).toBe(before);
      // Allowed: the same name reaches the local server.
      await expect(discover(`${issuer}/mcp`, true)).resolves.toMatchObject({ issuer, tokenEndpoint: `${issuer}/token` });
      expect(server.requests.length).toBeGreaterThan(before);
    } finally {
      restore();
    }
  });

  it('refuses http, localhost, private and metadata addresses unless local servers are allowed (metadata never)', () => {
    const strict = { allowLocal: false };
    expect(checkMcpUrl('http://mcp.example.com/mcp', 'the URL', strict)).toEqual({
      problem: 'the URL must be https (http is allowed only with NANGO_MCP_ALLOW_LOCAL_SERVERS=true)',
    });
    for (const host of ['localhost', '127.0.0.1', '10.1.2.3', '192.168.0.1', '[::1]', '0x7f000001', '[::ffff:10.0.0.1]']) {
      expect(checkMcpUrl(`https://${host}/mcp`, 'the URL', strict)).toEqual({
        problem: 'the URL is a local or private address (allowed only with NANGO_MCP_ALLOW_LOCAL_SERVERS=true)',
      });
    }
    expect(checkMcpUrl('https://169.254.169.254/latest', 'the URL', local)).toEqual({
      problem: 'the URL is a link-local or cloud metadata address',
    });
    expect(checkMcpUrl('https://user:pw@mcp.example.com/', 'the URL', strict)).toEqual({
      problem: 'the URL must not hold a user name or password',
    });
    expect(checkMcpUrl('https://mcp.example.com/mcp', 'the URL', strict)).toEqual({
      url: new URL('https://mcp.example.com/mcp'),
    });
  });

  it('registers a public client, or one with a secret when the server supports only secrets, and names a refusal', async () => {
    routes = { '/register': { status: 201, body: { client_id: 'c-1', token_endpoint_auth_method: 'none' } } };
    const base = {
      registrationEndpoint: `${server.url}/register`,
      redirectUri: 'https://nango.example/oauth/callback',
      clientName: 'x',
      timeoutMs: 2_000,
    };
    await expect(registerMcpClient(base)).resolves.toEqual({
      clientId: 'c-1',
      clientSecret: undefined,
      authMethod: 'none',
      secretExpiresAt: undefined,
    });
    expect(JSON.parse(server.requests.at(-1)?.body ?? '{}')).toMatchObject({
      redirect_uris: ['https://nango.example/oauth/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    });
    routes = { '/register': { status: 201, body: { client_id: 'c-2', client_secret: 's-2', client_secret_expires_at: 0 } } };
    await expect(registerMcpClient({ ...base, supportedAuthMethods: ['client_secret_basic'] })).resolves.toEqual({
      clientId: 'c-2',
      clientSecret: 's-2',
      authMethod: 'client_secret_basic',
      secretExpiresAt: 0,
    });
    routes = {
      '/register': { status: 403, body: { error: 'access_denied', error_description: 'initial access token required' } },
    };
    await expect(registerMcpClient(base)).rejects.toMatchObject({
      type: 'registration_err',
      message: `The authorization server refused the client registration: POST ${server.url}/register answered HTTP 403 access_denied: initial access token required`,
    });
    routes = { '/register': { status: 201, body: { client_name: 'x' } } };
    await expect(registerMcpClient(base)).rejects.toThrow('answered HTTP 201 without a client_id');
  });
});
