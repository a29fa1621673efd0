// A real OAuth 2 authorization server for the refresh and OAuth flow tests: oauth2-mock-server (ESM only, hence a child process
// rather than an import into jest), wrapped in a small HTTP server that adds what the tests steer and count.
//
//   GET  /authorize        the mock server's authorize endpoint: redirects back at once with a code (PKCE S256 kept)
//   GET  /consent          a consent page (Allow goes on to /authorize, Deny redirects back with access_denied)
//   POST /token            the mock server's token endpoint (it checks a PKCE verifier against the challenge), after
//                          the checks and behaviours below
//   GET  /control/calls    every call to /token so far: { grantType, refreshToken, clientId, clientAuth, codeVerifier,
//                          redirectUri, contentType }
//   POST /control/behave   JSON, merged into the behaviour: { delayMs, failNext: { status, count }, omitRefreshToken,
//                          expiresIn, rejectEchoing } (expiresIn: null leaves it out of responses; rejectEchoing
//                          answers invalid_grant quoting the refresh token and client credentials it was sent, as
//                          careless providers do)
//   POST /control/revoke   JSON { refreshToken }: that refresh token is answered invalid_grant from now on
//
// Client authentication is checked against CLIENT_ID and CLIENT_SECRET from the environment, in the body or as
// HTTP Basic; a mismatch is answered 401 invalid_client, as a real provider would. Prints one JSON line with its
// URL once it listens; ends on SIGTERM or when its parent's stdin closes.
import { createServer } from 'node:http';
import { OAuth2Issuer, OAuth2Service } from 'oauth2-mock-server';

const CLIENT_ID = process.env.CLIENT_ID ?? 'test-client';
const CLIENT_SECRET = process.env.CLIENT_SECRET ?? 'test-secret';

const issuer = new OAuth2Issuer();
await issuer.keys.generate('RS256');
const service = new OAuth2Service(issuer);

const calls = [];
const revoked = new Set();
const behaviour = {
  delayMs: 0,
  failNext: { status: 503, count: 0 },
  omitRefreshToken: false,
  expiresIn: undefined,
  rejectEchoing: false,
};

service.on('beforeResponse', (response, req) => {
  const call = callOf(req);
  calls.push(call);
  const fail = (statusCode, body) => Object.assign(response, { statusCode, body });
  if (call.clientId !== CLIENT_ID || call.clientSecret !== CLIENT_SECRET) {
    return fail(401, { error: 'invalid_client', error_description: 'Client authentication failed' });
  }
  delete call.clientSecret;
  if (behaviour.failNext.count > 0) {
    behaviour.failNext.count--;
    return fail(behaviour.failNext.status, { error: 'temporarily_unavailable' });
  }
  if (behaviour.rejectEchoing) {
    const description = `refresh token ${call.refreshToken} is not valid for client ${call.clientId} (${CLIENT_SECRET})`;
    return fail(400, { error: 'invalid_grant', error_description: description });
  }
  if (call.grantType === 'refresh_token' && revoked.has(call.refreshToken)) {
    return fail(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
  }
  if (behaviour.omitRefreshToken) delete response.body.refresh_token;
  if (behaviour.expiresIn === null) delete response.body.expires_in;
  else if (behaviour.expiresIn !== undefined) response.body.expires_in = behaviour.expiresIn;
});

/** Who called and how: client credentials from the Basic header, or else from the form body. */
function callOf(req) {
  const body = req.body ?? {};
  const header = req.headers.authorization ?? '';
  let clientAuth = 'body';
  let clientId = body.client_id;
  let clientSecret = body.client_secret;
  if (header.startsWith('Basic ')) {
    const [id = '', secret = ''] = Buffer.from(header.slice(6), 'base64').toString().split(':');
    [clientAuth, clientId, clientSecret] = ['basic', decodeForm(id), decodeForm(secret)];
  }
  const call = {
    grantType: body.grant_type,
    refreshToken: body.refresh_token,
    clientId,
    clientSecret,
    clientAuth,
    at: Date.now(),
  };
  if (body.grant_type === 'authorization_code') {
    Object.assign(call, {
      codeVerifier: body.code_verifier,
      redirectUri: body.redirect_uri,
      contentType: req.headers['content-type'],
    });
  }
  return call;
}

function decodeForm(value) {
  return new URLSearchParams(`v=${value}`).get('v') ?? '';
}

async function readJson(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text ? JSON.parse(text) : {};
}

async function control(req, res) {
  const reply = (body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  if (req.method === 'GET' && req.url === '/control/calls') return reply(calls);
  const body = await readJson(req);
  if (req.url === '/control/behave') Object.assign(behaviour, body);
  else if (req.url === '/control/revoke') revoked.add(body.refreshToken);
  else return res.writeHead(404).end();
  reply(behaviour);
}

/**
 * GET /consent: the provider's consent screen, for flows a person (or a browser test) clicks through. It takes the
 * authorize query; Allow goes on to the mock's /authorize (which redirects back with a code), Deny redirects back
 * with error=access_denied, as RFC 6749 4.1.2.1 says.
 */
function consent(req, res) {
  const url = new URL(req.url, 'http://localhost');
  const redirect = new URL(url.searchParams.get('redirect_uri') ?? 'about:blank');
  redirect.searchParams.set('error', 'access_denied');
  redirect.searchParams.set('error_description', 'The user denied access');
  const state = url.searchParams.get('state');
  if (state) redirect.searchParams.set('state', state);
  const allow = `/authorize${url.search}`;
  const attr = (value) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    .end(`<!doctype html><html><head><meta charset="utf-8"><title>Mock provider consent</title></head>
<body style="font-family:sans-serif;margin:2rem"><h1>Mock provider</h1><p>An app asks for access (scope: ${attr(url.searchParams.get('scope') ?? '')}).</p>
<a id="allow" href="${attr(allow)}">Allow</a> <a id="deny" href="${attr(redirect.toString())}">Deny</a></body></html>`);
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url?.startsWith('/consent')) {
    consent(req, res);
  } else if (req.url?.startsWith('/control/')) {
    control(req, res).catch((error) => res.writeHead(500).end(String(error)));
  } else if (req.url === '/token' && behaviour.delayMs > 0) {
    setTimeout(() => service.requestHandler(req, res), behaviour.delayMs);
  } else {
    service.requestHandler(req, res);
  }
});
server.listen(0, '127.0.0.1', () => {
  const url = `http://127.0.0.1:${server.address().port}`;
  issuer.url = url;
  process.stdout.write(`${JSON.stringify({ url })}\n`);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
