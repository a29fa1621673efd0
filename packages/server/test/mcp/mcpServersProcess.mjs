// A remote MCP server and its authorization server, for the MCP OAuth tests, run as a child process (oidc-provider is
// an ES module, which jest's CommonJS runtime cannot load):
//   node mcpServersProcess.mjs
// prints one JSON line with the URLs once both listen, and stops on SIGTERM.
//
// - The authorization server is oidc-provider (a certified OpenID/OAuth server, not a stand-in): open dynamic client
//   registration (RFC 7591) at /reg, PKCE S256 required of public clients, resource indicators (RFC 8707) with the
//   MCP resource as the only one it issues tokens for, refresh tokens bound to the client that got them. Its
//   metadata is at /.well-known/openid-configuration only (no RFC 8414 document), so the discovery's OpenID fallback
//   runs. Its dev interactions are the login and consent pages the browser test goes through.
// - The resource server publishes RFC 9728 metadata for /mcp, answers /mcp/* only with a token the authorization
//   server issued for that resource (looked up in the authorization server's own store) and says where its metadata
//   is in a 401's WWW-Authenticate. GET /mcp/items answers the items sync's fixture and records the token it came
//   with (the tests' state: itemReads). /hidden publishes its metadata only through that 401; /bare publishes none.
// - POST /_control on the resource server switches the authorization server's behaviour for the bad-input tests:
//   { "refuseRegistration": true } makes /reg answer 400 invalid_client_metadata.
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));

const resourceServer = createServer();
const resourcePort = await listen(resourceServer);
const resourceOrigin = `http://127.0.0.1:${resourcePort}`;
const RESOURCE = `${resourceOrigin}/mcp`;
const HIDDEN = `${resourceOrigin}/hidden`;

const state = { refuseRegistration: false, registrations: 0, tokenRequests: [], itemReads: [] };

const authHttp = createServer();
const authPort = await listen(authHttp);
const issuer = `http://127.0.0.1:${authPort}`;

const provider = new Provider(issuer, {
  clients: [],
  cookies: { keys: ['mcp-test-cookie-key'] },
  findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
  scopes: ['openid', 'offline_access', 'mcp:tools'],
  features: {
    registration: { enabled: true },
    devInteractions: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, indicator) => {
        if (indicator !== RESOURCE && indicator !== HIDDEN) throw new Provider.errors.InvalidTarget();
        return { scope: 'mcp:tools', audience: indicator, accessTokenTTL: 3600, accessTokenFormat: 'opaque' };
      },
    },
  },
  // Refresh tokens for every client allowed the grant (not only with offline_access, which needs prompt=consent).
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  pkce: { required: () => true },
});
provider.proxy = false;
// What the tests check of each token grant: which client asked (a refresh must come from the registered one).
provider.on('grant.success', (ctx) => {
  state.tokenRequests.push({
    grant_type: ctx.oidc.params.grant_type,
    client_id: ctx.oidc.client?.clientId,
    auth_method: ctx.oidc.client?.clientAuthMethod,
    resource: ctx.oidc.params.resource,
  });
});
provider.on('server_error', (_ctx, error) => process.stderr.write(`oidc-provider: ${error.stack}\n`));

const oidc = provider.callback();
authHttp.on('request', (req, res) => {
  if (req.url === '/reg' && req.method === 'POST') {
    state.registrations += 1;
    if (state.refuseRegistration) {
      res.writeHead(400, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ error: 'invalid_client_metadata', error_description: 'registration is closed' }));
    }
  }
  oidc(req, res);
});

/** The token of a request, if the authorization server issued it for `resource` and it is still valid. */
async function validToken(req, resource) {
  const match = /^Bearer (.+)$/.exec(req.headers['authorization'] ?? '');
  if (!match) return undefined;
  const token = await provider.AccessToken.find(match[1]);
  if (!token || token.isExpired || token.aud !== resource) return undefined;
  return token;
}

const json = (res, status, body, headers = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

resourceServer.on('request', async (req, res) => {
  const url = new URL(req.url, resourceOrigin);
  try {
    if (url.pathname === '/.well-known/oauth-protected-resource/mcp') {
      return json(res, 200, { resource: RESOURCE, authorization_servers: [issuer], scopes_supported: ['mcp:tools'] });
    }
    if (url.pathname === '/meta/hidden') {
      return json(res, 200, { resource: HIDDEN, authorization_servers: [issuer], scopes_supported: ['mcp:tools'] });
    }
    if (url.pathname === '/_control' && req.method === 'POST') {
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      Object.assign(state, JSON.parse(Buffer.concat(chunks).toString() || '{}'));
      return json(res, 200, state);
    }
    if (url.pathname === '/_state') return json(res, 200, state);
    for (const [prefix, resource, metadata] of [
      ['/mcp', RESOURCE, `${resourceOrigin}/.well-known/oauth-protected-resource/mcp`],
      ['/hidden', HIDDEN, `${resourceOrigin}/meta/hidden`],
    ]) {
      if (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) continue;
      const token = await validToken(req, resource);
      if (!token) {
        const challenge = `Bearer error="invalid_token", resource_metadata="${metadata}"`;
        return json(res, 401, { error: 'invalid_token' }, { 'www-authenticate': challenge });
      }
      if (url.pathname === `${prefix}/items`) {
        // The sync's read: which token it came with, and one item for the user the token was issued to.
        state.itemReads.push({ token: token.jti, sub: token.accountId, client: token.clientId });
        return json(res, 200, { items: [{ id: 'tool-1', name: `search for ${token.accountId}` }] });
      }
      return json(res, 200, { ok: true, path: url.pathname, query: url.search, sub: token.accountId, client: token.clientId });
    }
    if (url.pathname.startsWith('/bare')) return json(res, 401, { error: 'unauthorized' }, { 'www-authenticate': 'Bearer' });
    return json(res, 404, { error: 'not_found' });
  } catch (error) {
    return json(res, 500, { error: String(error) });
  }
});

process.stdout.write(
  `${JSON.stringify({ issuer, resourceOrigin, resource: RESOURCE, hidden: HIDDEN, bare: `${resourceOrigin}/bare` })}\n`,
);
process.on('SIGTERM', () => {
  authHttp.close();
  resourceServer.close();
  authHttp.closeAllConnections();
  resourceServer.closeAllConnections();
  process.exit(0);
});
