// Runs the official @nangohq/node 0.71.4 (ESM only, hence a child process rather than an import into jest) through
// every connections method against our server and prints what each returned (or threw), as one JSON line.
//   node node0714Connections.mjs <host> <secret key>
const [host, secretKey] = process.argv.slice(2);
const { Nango } = await import('nango-node-0714');
const nango = new Nango({ host, secretKey });
const outcome = {};
const axios = (response) => ({ status: response.status, data: response.data });
const attempt = async (name, call) => {
  try {
    outcome[name] = await call();
  } catch (error) {
    outcome[name] = { thrown: error.response ? { status: error.response.status, data: error.response.data } : String(error) };
  }
};
const ids = (reply) => reply.connections.map((c) => `${c.provider_config_key}/${c.connection_id}`);

await attempt('listAll', () => nango.listConnections());
await attempt('listById', async () => ids(await nango.listConnections('alice')));
await attempt('listSearch', async () => ids(await nango.listConnections(undefined, 'LIDDELL')));
await attempt('listEndUserLegacy', async () => ids(await nango.listConnections(undefined, undefined, { endUserId: 'eu-alice' })));
await attempt('listConnectionIdParam', async () => ids(await nango.listConnections({ connectionId: 'bob' })));
await attempt('listUserId', async () => ids(await nango.listConnections({ userId: 'eu-alice' })));
await attempt('listIntegrations', async () => ids(await nango.listConnections({ integrationId: ['hub', 'keyed'] })));
await attempt('listIntegration', async () => ids(await nango.listConnections({ integrationId: 'keyed' })));
await attempt('listTags', async () => ids(await nango.listConnections({ tags: { Team: 'red' } })));
await attempt('listTagEmail', async () => ids(await nango.listConnections({ tags: { email: 'alice@example.com' } })));
await attempt('listPage', async () => ids(await nango.listConnections({ limit: 2, page: 1 })));
await attempt('connection', () => nango.getConnection('hub', 'alice'));
await attempt('connectionRefreshed', () => nango.getConnection('hub', 'alice', true, true));
await attempt('token', () => nango.getToken('hub', 'bob'));
await attempt('apiKey', () => nango.getToken('keyed', 'carol'));
await attempt('raw', () => nango.getRawTokenResponse('hub', 'bob'));
await attempt('metadata', () => nango.getMetadata('hub', 'alice'));
await attempt('setOne', async () => axios(await nango.setMetadata('hub', 'alice', { plan: 'team', seats: 3 })));
await attempt('setSeveral', async () =>
  axios(await nango.setMetadata('hub', ['alice', 'bob'], { region: 'eu', flags: { a: 1 } })),
);
await attempt('update', async () => axios(await nango.updateMetadata('hub', ['alice', 'bob'], { flags: { b: 2 }, extra: true })));
await attempt('metadataAfter', async () => [await nango.getMetadata('hub', 'alice'), await nango.getMetadata('hub', 'bob')]);
await attempt('setMissing', async () => axios(await nango.setMetadata('hub', ['alice', 'ghost'], { x: 1 })));
await attempt('patch', () =>
  nango.patchConnection(
    { connectionId: 'bob', provider_config_key: 'hub' },
    { tags: { env: 'prod' }, end_user: { id: 'eu-bob', email: 'bob@example.com', display_name: 'Bob' } },
  ),
);
await attempt('patched', () => nango.getConnection('hub', 'bob'));
await attempt('wait', () => nango.waitForConnection('hub', 'eu-bob', { signal: AbortSignal.timeout(8000) }));
await attempt('waitByTag', () => nango.waitForConnection('hub', 'tagged-alice', { signal: AbortSignal.timeout(8000) }));
await attempt('delete', async () => axios(await nango.deleteConnection('hub', 'bob')));
await attempt('deleteAgain', async () => axios(await nango.deleteConnection('hub', 'bob')));
await attempt('afterDelete', async () => ids(await nango.listConnections()));
await attempt('missing', () => nango.getConnection('hub', 'ghost'));
process.stdout.write(`${JSON.stringify(outcome)}\n`);
