import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nango } from '@nangohq/node-client';
import { Worker, type WorkerStartOptions } from '@nangohq/server';
import { captureLogs, deleteWorkerQueues, FIXTURES_DIR, RABBITMQ_URL, waitFor } from '../helpers/harness';
import { RecordingOperationLog } from '../helpers/RecordingOperationLog';
import { officialNango } from './officialSdk';
import { startReceiver, type Receiver } from './webhookReceiver';

const KEY = 'sk-provider-webhooks-test';
const GITHUB_SECRET = 'gh-webhook-secret-0123';
const SLACK_SECRET = 'slack-signing-secret-4567';
const PLAIN_SECRET = 'plain-secret-89ab';

const YAML = `
integrations:
  gh:
    provider: github
    webhooks:
      secret: ${GITHUB_SECRET}
      forward: true
  slack:
    provider: slack
    webhooks:
      secret: ${SLACK_SECRET}
      forward: true
  quiet:
    provider: github
    webhooks:
      secret: ${GITHUB_SECRET}
  plain:
    auth_mode: API_KEY
    base_url: https://plain.example.test
    headers:
      x-key: \${api_key}
    webhooks:
      secret: ${PLAIN_SECRET}
      forward: true
      signature_header: X-Plain-Signature
      connection_field: account.id
      connection_config_key: account_id
      type_field: event
`;

const hex = (secret: string, ...parts: string[]) => {
  const mac = createHmac('sha256', secret);
  for (const part of parts) mac.update(part);
  return mac.digest('hex');
};

/** A webhook as GitHub sends it: its event header and `X-Hub-Signature-256` over the exact body. */
function github(body: string, secret = GITHUB_SECRET, event = 'push'): Record<string, string> {
  return { 'content-type': 'application/json', 'x-github-event': event, 'x-hub-signature-256': `sha256=${hex(secret, body)}` };
}

/** A webhook as Slack sends it: v0 signature over `v0:<timestamp>:<body>`. */
function slack(body: string, at = Math.floor(Date.now() / 1000), contentType = 'application/json'): Record<string, string> {
  return {
    'content-type': contentType,
    'x-slack-request-timestamp': String(at),
    'x-slack-signature': `v0=${hex(SLACK_SECRET, `v0:${at}:`, body)}`,
  };
}

/** Forward bodies the app received, parsed, with their signature checked by the official SDK on the exact bytes. */
function forwards(receiver: Receiver): Record<string, unknown>[] {
  const sdk = officialNango(KEY);
  return receiver.accepted().map((received) => {
    expect(sdk.verifyIncomingWebhookRequest(received.body, received.headers)).toBe(true);
    return JSON.parse(received.body) as Record<string, unknown>;
  });
}

/**
 * Provider webhooks end to end, with the real broker and server: `/webhook/...` checks the provider's signature on the
 * raw bytes, queues the webhook on `<queue>.webhooks`, a worker finds the Connection by the payload's value and
 * forwards it to a local HTTP server playing the app, signed as every webhook of ours.
 */
describe('provider webhooks', () => {
  let dir: string;
  let queue: string;
  let app: Receiver;
  let client: Nango | undefined;
  const started: Worker[] = [];
  const log = new RecordingOperationLog();
  let captured = captureLogs();

  const start = async (options: WorkerStartOptions = {}) => {
    const worker = await Worker.start({
      rabbitmqUrl: RABBITMQ_URL,
      queue,
      integrationsYaml: join(dir, 'integrations.yaml'),
      integrationsDir: FIXTURES_DIR,
      dbPath: join(dir, 'nango.sqlite'),
      watch: false,
      connectRetries: 0,
      shutdownGraceMs: 300,
      port: 0,
      secretKey: KEY,
      webhookUrl: app.url,
      webhookSigningKey: KEY,
      webhookRetryBaseMs: 50,
      webhookOnAuthCreation: false,
      providerWebhookMaxBytes: 4096,
      logger: captured.logger,
      operationLog: log,
      ...options,
    });
    started.push(worker);
    return worker;
  };

  const post = (url: string, path: string, body: string | Buffer, headers: Record<string, string>) =>
    fetch(`${url}${path}`, { method: 'POST', headers, body });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nango-provider-webhooks-'));
    writeFileSync(join(dir, 'integrations.yaml'), YAML);
    queue = `nango.test.${randomUUID()}`;
    captured = captureLogs();
    app = await startReceiver();
  });
  afterEach(async () => {
    await client?.close();
    client = undefined;
    for (const worker of started.splice(0)) await worker.stop();
    await deleteWorkerQueues(queue);
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const connect = async () => {
    client = new Nango({ url: RABBITMQ_URL, queue });
    await client.connect();
    return client;
  };

  it('routes a signed GitHub webhook to the Connection whose installation_id it names and forwards it, signed', async () => {
    const worker = await start();
    const url = worker.httpUrl as string;
    const nango = await connect();
    await nango.registerConnection('gh', 'acme', { access_token: 't1' }, { installation_id: 4242 });
    await nango.registerConnection('gh', 'other', { access_token: 't2' }, { installation_id: '777' });

    const payload = { action: 'opened', installation: { id: 4242 }, repository: { full_name: 'acme/api' } };
    const body = JSON.stringify(payload);
    // Nango's path shape, with this server's environment; no secret key: providers carry none.
    const response = await post(url, '/webhook/prod/gh', body, github(body));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'success' });
    const reception = response.headers.get('x-nango-operation-id') as string;

    await app.waitFor((received) => received.length >= 1);
    expect(forwards(app)).toEqual([{ from: 'github', type: 'forward', connectionId: 'acme', providerConfigKey: 'gh', payload }]);
    const route = await log.ended('webhook', (operation) => operation.parentId === reception);
    expect(route).toMatchObject({
      name: 'route',
      status: 'success',
      integration: 'gh',
      fields: { connections: 1, forwarded: 1 },
    });
    expect(log.get(reception)).toMatchObject({
      name: 'incoming',
      status: 'success',
      fields: { route: 'github', types: 'push' },
    });
  }, 60_000);

  it('routes a signed Slack event by team id, answers url_verification, and takes the short path', async () => {
    const worker = await start();
    const url = worker.httpUrl as string;
    const nango = await connect();
    await nango.registerConnection('slack', 'team-a', { access_token: 'xoxb-1' }, { 'team.id': 'T0001' });

    const challenge = JSON.stringify({ type: 'url_verification', challenge: 'c-123', token: 'x' });
    const handshake = await post(url, '/webhook/slack', challenge, slack(challenge));
    expect({ status: handshake.status, text: handshake.status === 200 ? '' : await handshake.text() }).toEqual({
      status: 200,
      text: '',
    });
    expect(await handshake.json()).toEqual({ challenge: 'c-123' });

    const event = { type: 'event_callback', team_id: 'T0001', event: { type: 'app_mention', text: 'hi' } };
    const body = JSON.stringify(event);
    expect((await post(url, '/webhook/slack', body, slack(body))).status).toBe(200);
    // Interactivity comes form-encoded, its JSON in `payload`.
    const interaction = { type: 'block_actions', team: { id: 'T0001' }, actions: [{ action_id: 'a' }] };
    const form = `payload=${encodeURIComponent(JSON.stringify(interaction))}`;
    expect((await post(url, '/webhook/slack', form, slack(form, undefined, 'application/x-www-form-urlencoded'))).status).toBe(
      200,
    );

    await app.waitFor((received) => received.length >= 2);
    const got = forwards(app).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    expect(got).toEqual([
      { from: 'slack', type: 'forward', connectionId: 'team-a', providerConfigKey: 'slack', payload: interaction },
      { from: 'slack', type: 'forward', connectionId: 'team-a', providerConfigKey: 'slack', payload: event },
    ]);
    // A timestamp older than five minutes is a replay, however well signed.
    const stale = await post(url, '/webhook/slack', body, slack(body, Math.floor(Date.now() / 1000) - 600));
    expect(stale.status).toBe(401);
    expect(((await stale.json()) as { error: { message: string } }).error.message).toMatch(
      /X-Slack-Request-Timestamp.*5 minutes/,
    );
  }, 60_000);

  it('refuses bad signatures, unknown integrations, other environments, non-JSON and bodies too large, logging each', async () => {
    const worker = await start();
    const url = worker.httpUrl as string;
    const body = JSON.stringify({ installation: { id: 1 } });
    const refusals: [string, Response, number, string, RegExp][] = [
      [
        'wrong secret',
        await post(url, '/webhook/gh', body, github(body, 'not-the-secret')),
        401,
        'unauthorized',
        /X-Hub-Signature-256 header does not match/,
      ],
      [
        'no signature',
        await post(url, '/webhook/gh', body, { 'content-type': 'application/json' }),
        401,
        'unauthorized',
        /X-Hub-Signature-256 header is missing/,
      ],
      [
        'unknown integration',
        await post(url, '/webhook/nope', body, github(body)),
        404,
        'unknown_integration',
        /No integration 'nope'/,
      ],
      [
        'other environment',
        await post(url, '/webhook/staging/gh', body, github(body)),
        404,
        'not_found',
        /No environment 'staging'.*'prod'/,
      ],
      ['not JSON', await post(url, '/webhook/gh', 'hello', github('hello')), 400, 'invalid_request', /not JSON/],
      [
        'too large',
        await post(url, '/webhook/gh', 'x'.repeat(5000), github('x'.repeat(5000))),
        413,
        'payload_too_large',
        /NANGO_PROVIDER_WEBHOOK_MAX_BYTES \(4096 bytes\)/,
      ],
    ];
    for (const [what, response, status, code, message] of refusals) {
      const reply = (await response.json()) as { error: { code: string; message: string } };
      expect({ what, status: response.status, code: reply.error.code }).toEqual({ what, status, code });
      expect(reply.error.message).toMatch(message);
      const operation = log.get(response.headers.get('x-nango-operation-id') as string);
      expect(operation).toMatchObject({ kind: 'webhook', name: 'incoming', status: 'failed', error: { code } });
      expect(operation.error?.message).toMatch(message);
    }
    expect(captured.logs.filter((line) => line.msg?.startsWith('provider webhook refused:'))).toHaveLength(refusals.length);
    // Nothing was queued, so nothing reached the app; and no secret is in any log line or reply.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(app.received).toHaveLength(0);
    for (const line of captured.rawLogs) expect(line).not.toContain(GITHUB_SECRET);
    // The server still serves.
    expect((await fetch(`${url}/health`)).status).toBe(200);
  }, 60_000);

  it('accepts a webhook no Connection matches, forwards it without one, and logs why', async () => {
    const worker = await start();
    const url = worker.httpUrl as string;
    const payload = { installation: { id: 999 } };
    const body = JSON.stringify(payload);
    const response = await post(url, '/webhook/gh', body, github(body));
    expect(response.status).toBe(200);
    const reception = response.headers.get('x-nango-operation-id') as string;
    await app.waitFor((received) => received.length >= 1);
    expect(forwards(app)).toEqual([{ from: 'github', type: 'forward', providerConfigKey: 'gh', payload }]);
    const route = await log.ended('webhook', (operation) => operation.parentId === reception);
    expect(route).toMatchObject({ status: 'failed', error: { code: 'connection_not_found' } });
    expect(route.error?.message).toMatch(/No Connection of 'gh' has installation_id = 999/);
  }, 60_000);

  it('routes in the generic mode by a configured field and signature header; forwards only when asked', async () => {
    const worker = await start();
    const url = worker.httpUrl as string;
    const nango = await connect();
    await nango.registerConnection('plain', 'p-1', { api_key: 'k' }, { account_id: 'acc-9' });
    await nango.registerConnection('quiet', 'q-1', { access_token: 't' }, { installation_id: 5 });

    const quiet = JSON.stringify({ installation: { id: 5 } });
    const quietReply = await post(url, '/webhook/quiet', quiet, github(quiet));
    const quietRoute = await log.ended('webhook', (op) => op.parentId === quietReply.headers.get('x-nango-operation-id'));
    expect(quietRoute).toMatchObject({ status: 'success', fields: { connections: 1, forwarded: 0 } });

    const payload = { event: 'invoice.paid', account: { id: 'acc-9' } };
    const body = JSON.stringify(payload);
    const signature = { 'content-type': 'application/json', 'x-plain-signature': hex(PLAIN_SECRET, body) };
    expect((await post(url, '/webhook/plain', body, signature)).status).toBe(200);
    expect((await post(url, '/webhook/plain', body, { ...signature, 'x-plain-signature': hex('wrong', body) })).status).toBe(401);
    await app.waitFor((received) => received.length >= 1);
    expect(forwards(app)).toEqual([{ from: 'plain', type: 'forward', connectionId: 'p-1', providerConfigKey: 'plain', payload }]);
  }, 60_000);

  it('queues a burst while no worker runs, and a worker started later delivers every one', async () => {
    const api = await start({ roles: { rpc: false, http: true } });
    const url = api.httpUrl as string;
    const first = await start({ roles: { rpc: true, http: false } });
    const nango = await connect();
    await nango.registerConnection('gh', 'acme', { access_token: 't1' }, { installation_id: 1 });
    await first.stop();

    const count = 40;
    const replies = await Promise.all(
      Array.from({ length: count }, (_, index) => {
        const body = JSON.stringify({ installation: { id: 1 }, n: index });
        return post(url, '/webhook/gh', body, github(body));
      }),
    );
    expect(replies.map((reply) => reply.status)).toEqual(Array.from({ length: count }, () => 200));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(app.received).toHaveLength(0); // no worker: they wait on the queue

    await start({ roles: { rpc: true, http: false } });
    await app.waitFor((received) => received.length >= count, 45_000);
    await waitFor(() => app.received.length === count, 1_000, 'no more forwards').catch(() => undefined);
    const numbers = forwards(app).map((forward) => (forward['payload'] as { n: number }).n);
    expect(numbers.sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, index) => index));
  }, 90_000);
});
