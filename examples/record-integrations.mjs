#!/usr/bin/env node
// Re-records the example integrations' recorded tests (integrations/<integration>/<function>.recording.json): starts
// local servers playing each API (the tracker of examples/tracker-api.mjs, and small Stripe, Slack and Twitter
// stand-ins), a worker serving the HTTP API only, with integrations.yaml's base URLs pointed at them, registers a
// Connection per integration, and runs our CLI's `nango dryrun … --save integrations` for each function. The tests
// beside the functions (`*.test.ts`, run by `npm test`) replay these files offline. Needs RabbitMQ (the API's
// action dispatcher connects to it); removes the queues and the temporary database it made.
//
//   npm run build && node examples/record-integrations.mjs
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { startTrackerApi } from './tracker-api.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'packages', 'server', 'package.json'));
const { Worker } = require('./dist/index.js');
const { workerQueueNames } = require('./dist/broker/queueNames.js');
const amqp = require('amqplib');

if (process.argv.includes('--help')) {
  console.log(
    'Usage: node examples/record-integrations.mjs\nRe-records integrations/*/*.recording.json (see the comment at the top).',
  );
  process.exit(0);
}

/** Stripe's balance, Slack's chat.postMessage and Twitter's POST /2/tweets, as the example functions call them. */
function startApis() {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const send = (status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined;
      if (req.method === 'GET' && req.url === '/stripe/v1/balance') {
        return send(200, {
          object: 'balance',
          available: [
            { amount: 5100, currency: 'usd' },
            { amount: 800, currency: 'eur' },
          ],
        });
      }
      if (req.method === 'POST' && req.url === '/slack/api/chat.postMessage') {
        return send(200, { ok: true, channel: body.channelId, ts: '1700000000.000100', message: { text: body.text } });
      }
      if (req.method === 'POST' && req.url === '/twitter/2/tweets') {
        return send(201, { data: { id: '1445880548472328192', text: body.text } });
      }
      return send(404, { error: `no route ${req.method} ${req.url}` });
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}`, server })),
  );
}

const secretKey = `record-${randomUUID()}`;
const queue = `nango.record-integrations.${randomUUID()}`;
const dir = mkdtempSync(join(tmpdir(), 'nango-record-'));
const tracker = await startTrackerApi({ port: 0, issues: 120 });
const apis = await startApis();
Object.assign(process.env, {
  STRIPE_API_URL: `${apis.url}/stripe/v1`,
  SLACK_API_URL: `${apis.url}/slack/api`,
  TWITTER_API_URL: `${apis.url}/twitter`,
  TRACKER_API_URL: tracker.url,
});
const worker = await Worker.start({
  queue,
  integrationsYaml: join(root, 'integrations.yaml'),
  integrationsDir: join(root, 'integrations'),
  dbPath: join(dir, 'nango.sqlite'),
  secretKey,
  watch: false,
  port: 0,
  roles: { rpc: false, http: true },
  logLevel: 'warn',
});
const env = { ...process.env, NANGO_HOSTPORT: worker.httpUrl, NANGO_SECRET_KEY: secretKey };
try {
  const connections = [
    ['example', { type: 'API_KEY', apiKey: 'example-key-1234' }, { greeting: 'Hi' }],
    ['stripe', { type: 'API_KEY', apiKey: 'sk_test_recording_key' }, {}],
    ['slack', { type: 'OAUTH2', access_token: 'xoxb-recording-token' }, { channelId: 'C0123456' }],
    ['twitter', { type: 'OAUTH1', oauth_token: 'recording-oauth-token', oauth_token_secret: 'recording-token-secret' }, {}],
    ['tracker', { type: 'API_KEY', apiKey: 'demo-key' }, {}],
  ];
  for (const [integration, credentials, metadata] of connections) {
    const reply = await fetch(`${worker.httpUrl}/connections`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ provider_config_key: integration, connection_id: 'user-1', credentials, metadata }),
    });
    if (reply.status !== 201) throw new Error(`POST /connections for ${integration}: ${reply.status} ${await reply.text()}`);
  }
  const runs = [
    ['example', 'hello', ['--input', '{"name":"Ada"}']],
    ['stripe', 'getBalance', []],
    ['slack', 'notify', ['--input', '{"msg":"Deploy finished"}']],
    ['twitter', 'postTweet', ['--input', '{"text":"Hello from a recorded test"}']],
    ['tracker', 'issues', []],
  ];
  for (const [integration, name, args] of runs) {
    const cli = join(root, 'packages', 'cli', 'bin', 'nango.js');
    // Asynchronously: the worker answering the CLI runs in this very process.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [cli, 'dryrun', integration, name, 'user-1', '--save', 'integrations', ...args],
      {
        cwd: root,
        env,
      },
    );
    console.log(stdout.trim().split('\n').at(-1));
  }
} finally {
  await worker.stop();
  await new Promise((resolve) => apis.server.close(resolve));
  await tracker.close();
  rmSync(dir, { recursive: true, force: true });
  const connection = await amqp.connect(process.env['RABBITMQ_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672');
  const channel = await connection.createChannel();
  for (const name of workerQueueNames(queue)) await channel.deleteQueue(name);
  await connection.close();
}
