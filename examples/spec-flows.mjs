#!/usr/bin/env node
// Runs the flows of the node client reference against a running worker (`npm start` in another terminal):
// register Connections, update their config and credentials, list them, and trigger actions.
//
//   node examples/spec-flows.mjs            (or: npm run example)
//
// Uses `new Nango()` = RabbitMQ on localhost:5672 and the queue in NANGO_QUEUE (default nango.requests).
// Each run registers a fresh user id, so it can be run again and again.
import Nango from '@nangohq/node-client';

if (process.argv.includes('--help')) {
  console.log('Usage: node examples/spec-flows.mjs\nRuns the node client reference flows against the worker on localhost:5672.');
  process.exit(0);
}

const nango = new Nango();
const userId = `example-user-${Date.now()}`;
const step = (text) => console.log(`\n▶ ${text}`);

try {
  await nango.connect();
  console.log(`Connected; queue '${nango.queue}', user id '${userId}'.`);

  step("registerConnection('slack', …) with OAuth 2 credentials and a channel in additionalConfig");
  await nango.registerConnection(
    'slack',
    userId,
    { access_token: 'xoxb-example-token', refresh_token: 'RefreshTokenXXXXXXX', expires_at: new Date(Date.now() + 3600_000) },
    { channelId: 'C0123456' },
  );
  console.log('registered');

  step("registerConnection('example', …) with an API key");
  await nango.registerConnection('example', userId, { api_key: 'XXXXXXXXXX' }, { greeting: 'Hi' });
  console.log('registered');

  step("registerConnection('twitter', …) with OAuth 1.0a credentials, and ('jira', …) with a username and password");
  await nango.registerConnection(
    'twitter',
    userId,
    { oauth_token: 'XXXXXXXXXX', oauth_token_secret: 'YYYYYYYYYYYYY' },
    { config: 'ZZZZZZZ' },
  );
  await nango.registerConnection('jira', userId, { username: 'XXXXXXXXXX', password: 'YYYYYYYY' }, { site: 'example' });
  console.log('registered');

  step('credentials that do not fit the auth mode are refused');
  await nango
    .registerConnection('stripe', userId, { username: 'u', password: 'p' })
    .then(() => {
      throw new Error('expected invalid_credentials');
    })
    .catch((error) => {
      if (error.code !== 'invalid_credentials') throw error;
      console.log(`refused as expected: ${error.errorMsg}`);
    });

  step('registering the same Connection twice is an error');
  await nango
    .registerConnection('example', userId, { api_key: 'XXXXXXXXXX' })
    .then(() => {
      throw new Error('expected connection_exists');
    })
    .catch((error) => {
      if (error.code !== 'connection_exists') throw error;
      console.log(`refused as expected: ${error.errorMsg}`);
    });

  step('updateConnectionConfig and updateConnectionCredentials');
  await nango.updateConnectionConfig('example', userId, { greeting: 'Welcome' });
  await nango.updateConnectionCredentials('example', userId, { api_key: 'My-new-api-key' });
  console.log('updated');

  step('getConnectionsForUserId');
  const forUser = await nango.getConnectionsForUserId(userId);
  console.log(forUser.returnValue.map((c) => `${c.integration} (created ${c.dateCreated})`).join('\n'));

  step("getConnectionsForIntegration('example')");
  const forIntegration = await nango.getConnectionsForIntegration('example');
  console.log(`${forIntegration.returnValue.length} connection(s)`);

  step("triggerAction('example', 'hello', …)");
  const hello = await nango.triggerAction('example', 'hello', userId, { name: 'Ada' });
  console.log(`Got this return value from example.hello: ${JSON.stringify(hello.returnValue)}`);

  step("triggerAction('slack', 'notify', …) — calls Slack's API (or SLACK_API_URL as the worker sees it)");
  await nango
    .triggerAction('slack', 'notify', userId, { msg: 'Please post this message' })
    .then((result) => console.log(`Slack answered ${result.returnValue.status}: ${JSON.stringify(result.returnValue.body)}`))
    .catch((error) =>
      console.log(`notify failed (${error.code}): ${error.errorMsg}\n  (expected without network access or a real token)`),
    );

  console.log('\nAll flows ran.');
} catch (error) {
  console.error(`\nExample failed: ${error.code ? `${error.code}: ${error.errorMsg}` : error.message}`);
  process.exitCode = 1;
} finally {
  await nango.close();
}
