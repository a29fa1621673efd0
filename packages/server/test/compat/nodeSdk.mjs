// Runs an official @nangohq/node (ESM only, hence a child process rather than an import into jest) against our
// server and prints what its methods returned, as one JSON line.
//   node nodeSdk.mjs <package alias> <host> <secret key or ''> <provider config key> <connection id>
const [alias, host, secretKey, key, connectionId] = process.argv.slice(2);
const { Nango } = await import(alias);
const nango = new Nango({ host, ...(secretKey ? { secretKey } : {}) });
const outcome = {};
const attempt = async (name, call) => {
  try {
    outcome[name] = await call();
  } catch (error) {
    outcome[name] = { thrown: error.response ? { status: error.response.status, data: error.response.data } : String(error) };
  }
};
await attempt('token', () => nango.getToken(key, connectionId));
await attempt('raw', () => nango.getRawTokenResponse(key, connectionId));
await attempt('connection', () => nango.getConnection(key, connectionId));
await attempt('list', () => nango.listConnections());
await attempt('missing', () => nango.getToken(key, 'no-such-connection'));
process.stdout.write(`${JSON.stringify(outcome)}\n`);
