#!/usr/bin/env node
// Calls every method of the official @nangohq/node 0.71.4 (spec 5, syncs and records aside) against a running server,
// checks each result, and exits non-zero on any mismatch. Start the server first, with a secret key and a webhook URL
// pointing at this script's receiver:
//
//   NANGO_SECRET_KEY=example-secret-key NANGO_WEBHOOK_URL=http://localhost:3010/webhooks \
//     NANGO_PROXY_ALLOWED_HOSTS=127.0.0.1 npm start
//   npm run example:node-sdk            (or: node examples/official-node-sdk.mjs)
//
// Environment: NANGO_SERVER_URL (the server's URL; default http://localhost:3003), NANGO_SECRET_KEY (default
// example-secret-key), NANGO_EXAMPLE_WEBHOOK_PORT (default 3010). It starts two local HTTP servers of its own: a small "provider API" the
// proxy calls reach (through Base-Url-Override, on the `example` integration of integrations.yaml: hence the allowed
// host) and the webhook
// receiver. A Connection is made through a connect session (POST /api-auth/api-key, as @nangohq/frontend 0.71 does)
// and another over RabbitMQ (@nangohq/node-client, as `npm run example` does). Each run uses fresh ids.
import { createServer, globalAgent } from 'node:http';
import { createRequire } from 'node:module';
import NodeClient from '@nangohq/node-client';

const { Nango } = createRequire(import.meta.url)('nango-node-0714');

if (process.argv.includes('--help')) {
  console.log(
    'Usage: node examples/official-node-sdk.mjs\nRuns every @nangohq/node 0.71.4 method against the server (see the header).',
  );
  process.exit(0);
}

const host = process.env.NANGO_SERVER_URL ?? 'http://localhost:3003';
const secretKey = process.env.NANGO_SECRET_KEY ?? 'example-secret-key';
const webhookPort = Number(process.env.NANGO_EXAMPLE_WEBHOOK_PORT ?? 3010);
const run = Date.now().toString(36);
const userId = `example-end-user-${run}`;
const nango = new Nango({ host, secretKey });

const failures = [];
const context = {};

/** Runs one step: prints it, its result, and records a failure without stopping the others. */
async function step(title, body) {
  console.log(`\n▶ ${title}`);
  const started = Date.now();
  const took = () => `(${Date.now() - started} ms)`;
  try {
    const shown = await body();
    console.log(`  ✓ ${shown ?? 'ok'} ${took()}`);
  } catch (error) {
    const status = error.response?.status;
    const data = error.response?.data;
    const detail = data === undefined || typeof data.pipe === 'function' ? '' : ` ${JSON.stringify(data)}`;
    console.log(`  ✗ ${status ? `HTTP ${status}: ` : ''}${error.message}${detail} ${took()}`);
    failures.push(title);
  }
}

/** Throws when `actual` is not what was expected; the message shows both. */
function expect(what, actual, expected) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

function assert(what, condition) {
  if (!condition) throw new Error(what);
}

/** The status an SDK call failed with (they reject with an AxiosError). */
async function statusOf(promise) {
  try {
    await promise;
    return 200;
  } catch (error) {
    if (!error.response) throw error;
    return error.response.status;
  }
}

// ---- The local servers ---------------------------------------------------------------------------------------

const apiCalls = [];
let flakyCalls = 0;
const providerApi = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    const url = new URL(req.url, 'http://local');
    apiCalls.push({ method: req.method, path: url.pathname, headers: req.headers });
    if (url.pathname === '/flaky' && flakyCalls++ === 0) {
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"try again"}');
      return;
    }
    const answer = {
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      apiKey: req.headers['x-api-key'] ?? null,
      custom: req.headers['x-custom'] ?? null,
      body: body === '' ? null : JSON.parse(body),
    };
    res.writeHead(url.pathname === '/missing' ? 404 : 200, { 'content-type': 'application/json', 'x-upstream': 'local' });
    res.end(JSON.stringify(answer));
  });
});

const webhooks = [];
const webhookServer = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    webhooks.push({ body, headers: req.headers });
    res.writeHead(200).end('ok');
  });
});

const listen = (server, port) =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server.address().port));
  });

const apiPort = await listen(providerApi, 0);
const apiUrl = `http://127.0.0.1:${apiPort}`;
await listen(webhookServer, webhookPort).catch((error) => {
  console.error(`Cannot listen for webhooks on port ${webhookPort} (${error.code}): set NANGO_EXAMPLE_WEBHOOK_PORT`);
  process.exit(1);
});
console.log(`Server ${host}; provider API ${apiUrl}; webhooks on http://localhost:${webhookPort}/webhooks; run ${run}`);

// ---- Providers -----------------------------------------------------------------------------------------------

await step("listProviders({ search: 'git' })", async () => {
  const { data } = await nango.listProviders({ search: 'git' });
  assert(
    'github is listed',
    data.some((provider) => provider.name === 'github'),
  );
  assert(
    'every provider has a logo_url',
    data.every((provider) => typeof provider.logo_url === 'string'),
  );
  return data.map((provider) => provider.name).join(', ');
});

await step("getProvider({ provider: 'github' }), and an unknown one", async () => {
  const { data } = await nango.getProvider({ provider: 'github' });
  expect('name and auth mode', [data.name, data.auth_mode], ['github', 'OAUTH2']);
  expect('unknown provider status', await statusOf(nango.getProvider({ provider: `nope-${run}` })), 404);
  return `${data.display_name}: ${data.authorization_url}`;
});

// ---- Integrations --------------------------------------------------------------------------------------------

const ghKey = `example-gh-${run}`;
const linearKey = `example-linear-${run}`;

await step('createIntegration with spec 5 credentials { oauth_client_id, oauth_client_secret }', async () => {
  const { data } = await nango.createIntegration({
    provider: 'github',
    unique_key: ghKey,
    display_name: 'GitHub (example)',
    credentials: { oauth_client_id: 'example-client-id', oauth_client_secret: 'example-client-secret' },
  });
  expect('created', [data.unique_key, data.provider, data.display_name], [ghKey, 'github', 'GitHub (example)']);
  assert('no secret in the reply', !JSON.stringify(data).includes('example-client-secret'));
  return JSON.stringify(data);
});

await step("createIntegration with the SDK's credentials { type: 'OAUTH2', client_id, client_secret, scopes }", async () => {
  const { data } = await nango.createIntegration({
    provider: 'linear',
    unique_key: linearKey,
    credentials: { type: 'OAUTH2', client_id: 'linear-id', client_secret: 'linear-secret', scopes: 'read,write' },
  });
  expect('created', data.unique_key, linearKey);
  return data.display_name;
});

await step('listIntegrations()', async () => {
  const { configs } = await nango.listIntegrations();
  const keys = configs.map((integration) => integration.unique_key);
  for (const key of [ghKey, linearKey, 'example']) assert(`${key} is listed`, keys.includes(key));
  return `${configs.length} integrations, e.g. ${keys.slice(0, 5).join(', ')}`;
});

await step("getIntegration({ uniqueKey }, { include: ['credentials'] })", async () => {
  const plain = await nango.getIntegration({ uniqueKey: ghKey });
  assert('no credentials unless asked', plain.data.credentials === undefined);
  const { data } = await nango.getIntegration({ uniqueKey: linearKey }, { include: ['credentials'] });
  expect('credentials', data.credentials, {
    type: 'OAUTH2',
    client_id: 'linear-id',
    client_secret: 'linear-secret',
    scopes: 'read,write',
  });
  return 'credentials only when asked';
});

await step('updateIntegration: display name, then a new unique_key', async () => {
  const renamed = await nango.updateIntegration({ uniqueKey: ghKey }, { display_name: 'GitHub (production)' });
  expect('display name', renamed.data.display_name, 'GitHub (production)');
  const moved = await nango.updateIntegration({ uniqueKey: linearKey }, { unique_key: `${linearKey}-2` });
  expect('new key', moved.data.unique_key, `${linearKey}-2`);
  expect('old key is gone', await statusOf(nango.getIntegration({ uniqueKey: linearKey })), 404);
  return 'updated';
});

await step('deleteIntegration (both), then getIntegration is 404', async () => {
  for (const key of [ghKey, `${linearKey}-2`]) {
    const response = await nango.deleteIntegration(key);
    expect(`delete ${key}`, [response.status, response.data], [200, { success: true }]);
    expect(`${key} is gone`, await statusOf(nango.getIntegration({ uniqueKey: key })), 404);
  }
  return 'deleted';
});

// ---- Connect sessions and a Connection ------------------------------------------------------------------------

await step('createConnectSession for an end user, allowed the `example` integration', async () => {
  const { data } = await nango.createConnectSession({
    end_user: { id: userId, email: `${userId}@example.com`, display_name: 'Example User' },
    tags: { end_user_id: userId, plan: 'free' },
    allowed_integrations: ['example'],
  });
  assert('token format', /^nango_connect_session_[0-9a-f]{64}$/.test(data.token));
  const minutes = (Date.parse(data.expires_at) - Date.now()) / 60_000;
  assert(`expires in about 30 minutes (${minutes.toFixed(1)})`, minutes > 25 && minutes <= 31);
  context.sessionToken = data.token;
  return `connect_link ${data.connect_link}`;
});

await step("the frontend's API-key auth with the session token: POST /api-auth/api-key/example", async () => {
  const url = `${host}/api-auth/api-key/example?connect_session_token=${encodeURIComponent(context.sessionToken)}`;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ apiKey: `session-api-key-${run}` }),
  });
  const body = await response.json();
  expect('status', response.status, 200);
  expect('integration', body.providerConfigKey, 'example');
  context.connectionId = body.connectionId;
  return `Connection ${body.connectionId}`;
});

await step('waitForConnection(example, end user id)', async () => {
  const connection = await nango.waitForConnection('example', userId);
  expect('found the session Connection', connection.connection_id, context.connectionId);
  return `found ${connection.connection_id}`;
});

await step('createReconnectSession for that Connection', async () => {
  const { data } = await nango.createReconnectSession({ connection_id: context.connectionId, integration_id: 'example' });
  assert('token format', /^nango_connect_session_[0-9a-f]{64}$/.test(data.token));
  return `expires_at ${data.expires_at}`;
});

const rpcConnectionId = `example-rpc-${run}`;
await step('a second Connection, registered over RabbitMQ with @nangohq/node-client', async () => {
  const client = new NodeClient();
  await client.connect();
  try {
    await client.registerConnection('example', rpcConnectionId, { api_key: `rpc-api-key-${run}` }, { greeting: 'Hi' });
  } finally {
    await client.close();
  }
  return rpcConnectionId;
});

// ---- Connections -----------------------------------------------------------------------------------------------

await step('listConnections: all, by connection id, by integration + end user + tags, legacy form', async () => {
  const all = await nango.listConnections();
  const ids = all.connections.map((connection) => connection.connection_id);
  for (const id of [context.connectionId, rpcConnectionId]) assert(`${id} is listed`, ids.includes(id));
  assert('no credentials in lists', !JSON.stringify(all).includes('api-key-'));
  const one = await nango.listConnections({ connectionId: rpcConnectionId });
  expect(
    'by connection id',
    one.connections.map((c) => c.connection_id),
    [rpcConnectionId],
  );
  const filtered = await nango.listConnections({ integrationId: ['example'], userId, tags: { plan: 'free' }, limit: 10 });
  expect(
    'by integration, end user and tags',
    filtered.connections.map((c) => c.connection_id),
    [context.connectionId],
  );
  const legacy = await nango.listConnections(rpcConnectionId);
  expect('legacy form', legacy.connections.length, 1);
  return `${all.connections.length} Connections in all`;
});

await step('getConnection, getToken, getRawTokenResponse', async () => {
  const connection = await nango.getConnection('example', rpcConnectionId);
  expect('ids', [connection.connection_id, connection.provider_config_key], [rpcConnectionId, 'example']);
  expect('credentials', [connection.credentials.type, connection.credentials.apiKey], ['API_KEY', `rpc-api-key-${run}`]);
  const fromSession = await nango.getConnection('example', context.connectionId, true, true);
  expect('the session Connection has its end user', fromSession.end_user?.id, userId);
  const token = await nango.getToken('example', rpcConnectionId);
  expect('getToken of an API_KEY Connection = its credentials', [token.type, token.apiKey], ['API_KEY', `rpc-api-key-${run}`]);
  const raw = await nango.getRawTokenResponse('example', rpcConnectionId);
  expect('unknown Connection status', await statusOf(nango.getConnection('example', `nope-${run}`)), 404);
  return `raw token response ${JSON.stringify(raw ?? null)}`;
});

await step('setMetadata on both, getMetadata, updateMetadata merges', async () => {
  const set = await nango.setMetadata('example', [context.connectionId, rpcConnectionId], { plan: 'pro', greeting: 'Hello' });
  expect('setMetadata status', set.status, 201);
  expect('metadata', await nango.getMetadata('example', rpcConnectionId), { plan: 'pro', greeting: 'Hello' });
  const updated = await nango.updateMetadata('example', rpcConnectionId, { plan: 'team' });
  expect('updateMetadata status', updated.status, 200);
  expect('merged', await nango.getMetadata('example', rpcConnectionId), { plan: 'team', greeting: 'Hello' });
  return 'metadata = additionalConfig, as the worker sees it';
});

await step('patchConnection: tags and end user', async () => {
  const reply = await nango.patchConnection(
    { connectionId: rpcConnectionId, provider_config_key: 'example' },
    { tags: { team: 'blue' }, end_user: { id: `${userId}-2` } },
  );
  expect('reply', reply, { success: true });
  const { connections } = await nango.listConnections({ tags: { team: 'blue' } });
  expect(
    'found by the new tag',
    connections.map((c) => c.connection_id),
    [rpcConnectionId],
  );
  return 'patched';
});

// ---- Proxy -------------------------------------------------------------------------------------------------------

const viaProxy = (extra) => ({ providerConfigKey: 'example', connectionId: rpcConnectionId, baseUrlOverride: apiUrl, ...extra });

await step('proxy GET with params and a header (sent as Nango-Proxy-X-Custom)', async () => {
  const response = await nango.get(viaProxy({ endpoint: '/echo', params: { q: 'hello world' }, headers: { 'X-Custom': 'yes' } }));
  expect('status', response.status, 200);
  expect('upstream header', response.headers['x-upstream'], 'local');
  expect(
    'what the API saw',
    [response.data.path, response.data.query, response.data.custom],
    ['/echo', { q: 'hello world' }, 'yes'],
  );
  expect('the API key from integrations.yaml headers', response.data.apiKey, `rpc-api-key-${run}`);
  return JSON.stringify(response.data);
});

await step('proxy POST, PUT, PATCH with bodies and DELETE with a body', async () => {
  for (const method of ['post', 'put', 'patch', 'delete']) {
    const response = await nango[method](viaProxy({ endpoint: '/items/1', data: { method } }));
    expect(`${method} echo`, [response.data.method, response.data.body], [method.toUpperCase(), { method }]);
  }
  return 'all four methods';
});

await step('proxy retries a 503 (retries: 2) and passes a 404 through', async () => {
  const before = apiCalls.length;
  const response = await nango.get(viaProxy({ endpoint: '/flaky', retries: 2, retryOn: [409] }));
  expect('status after retry', response.status, 200);
  expect('calls the API got', apiCalls.length - before, 2);
  expect('404 passes through', await statusOf(nango.get(viaProxy({ endpoint: '/missing' }))), 404);
  return 'retried once';
});

await step("proxy with responseType: 'stream'", async () => {
  const response = await nango.proxy(viaProxy({ method: 'GET', endpoint: '/stream', responseType: 'stream' }));
  let text = '';
  for await (const chunk of response.data) text += chunk;
  expect('streamed body', JSON.parse(text).path, '/stream');
  return `${text.length} bytes`;
});

// ---- Actions ---------------------------------------------------------------------------------------------------

await step("triggerAction('example', …, 'hello', { name: 'Ada' })", async () => {
  const output = await nango.triggerAction('example', rpcConnectionId, 'hello', { name: 'Ada' });
  expect('output', output, { message: 'Hello, Ada!' });
  return JSON.stringify(output);
});

await step('triggerActionAsync, then getAsyncActionResult by id and by statusUrl', async () => {
  const { id, statusUrl } = await nango.triggerActionAsync('example', rpcConnectionId, 'hello', { name: 'Grace' });
  expect('status URL', statusUrl, `/action/${id}`);
  context.asyncActionId = id;
  let output;
  for (let attempt = 0; attempt < 60 && output === undefined; attempt++) {
    try {
      output = await nango.getAsyncActionResult({ id });
    } catch (error) {
      if (error.response?.status !== 404) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  expect('output', output, { message: 'Hello, Grace!' });
  expect('by statusUrl', await nango.getAsyncActionResult({ statusUrl }), output);
  return `${id}: ${JSON.stringify(output)}`;
});

await step("getScriptsConfig() and getScriptsConfig('openai')", async () => {
  const config = await nango.getScriptsConfig();
  const example = config.find((entry) => entry.providerConfigKey === 'example');
  assert(
    'the example integration is listed with its hello action',
    example?.actions.some((action) => action.name === 'hello'),
  );
  const openai = await nango.getScriptsConfig('openai');
  assert(
    'hello is an OpenAI function',
    openai.data.some((fn) => fn.name === 'hello' && fn.parameters?.type === 'object'),
  );
  return `${config.length} integrations, ${openai.data.length} functions`;
});

// ---- Webhooks --------------------------------------------------------------------------------------------------

await step('verifyIncomingWebhookRequest on the webhooks received (auth and async_action)', async () => {
  const deadline = Date.now() + 15_000;
  const mine = () =>
    webhooks.filter(({ body }) => {
      const parsed = JSON.parse(body);
      return parsed.type === 'async_action'
        ? parsed.payload?.id === context.asyncActionId
        : parsed.connectionId === context.connectionId;
    });
  while (mine().length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  const received = mine();
  assert(
    `the auth and async_action webhooks arrived (got ${received.length}); start the server with NANGO_WEBHOOK_URL=http://localhost:${webhookPort}/webhooks`,
    received.length >= 2,
  );
  for (const { body, headers } of received) {
    assert(`signature of ${JSON.parse(body).type}`, nango.verifyIncomingWebhookRequest(body, headers));
    assert('a changed body is refused', !nango.verifyIncomingWebhookRequest(`${body} `, headers));
  }
  return received.map(({ body }) => JSON.parse(body).type).join(', ');
});

// ---- Clean up ------------------------------------------------------------------------------------------------

await step('deleteConnection (both), then getConnection fails', async () => {
  for (const id of [rpcConnectionId, context.connectionId]) {
    const response = await nango.deleteConnection('example', id);
    expect(`delete ${id}`, [response.status, response.data], [200, { success: true }]);
    assert(`${id} is gone`, (await statusOf(nango.getConnection('example', id))) >= 400);
  }
  return 'deleted';
});

for (const server of [providerApi, webhookServer]) {
  server.closeAllConnections();
  server.close();
}
// The official SDK's axios keeps its connections to the server alive (Node's global agent); close them so the script
// ends now rather than when the server drops them.
globalAgent.destroy();
if (failures.length > 0) {
  console.error(`\n${failures.length} step(s) failed:\n${failures.map((title) => `  - ${title}`).join('\n')}`);
  process.exitCode = 1;
} else {
  console.log('\nEvery method of @nangohq/node 0.71.4 (spec 5, syncs and records aside) ran as expected.');
}
