import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as amqp from 'amqplib';
import { credentialsQueue } from '@nangohq/protocol';
import { sendRaw, waitFor } from '../helpers/harness';
import { startPrivateBroker, type PrivateBroker } from '../../../../test/privateBroker';
import { FaultRig, messageCount } from './faultHarness';

// Credential-bearing calls made while no worker consumes time out and expire in the broker. None of their
// credentials may end up in the dead-letter queue or anywhere in the broker's data folder, which is why this runs
// on a node of its own: its folder can be searched, and its application stopped so that everything it keeps is
// written out first. A persistent non-credential request made at the same time is the control: it must be
// dead-lettered and found on disk, as before.
describe('credentials on the broker', () => {
  let broker: PrivateBroker | undefined;
  let rig: FaultRig | undefined;

  beforeAll(async () => {
    broker = await startPrivateBroker();
    rig = await FaultRig.start({ broker });
  }, 120_000);

  afterAll(async () => {
    try {
      await broker?.ctl(['start_app'], 60_000).catch(() => undefined);
      await rig?.close();
    } finally {
      await broker?.stop();
    }
  }, 120_000);

  it('are neither written to its disk nor dead-lettered, while other requests still are', async () => {
    const [node, faults] = [broker, rig];
    if (!node || !faults) throw new Error('beforeAll did not finish');
    const worker = await faults.startWorker(); // declares the queues
    const nango = await faults.client({ requestTimeoutMs: 1_000 });
    await nango.registerConnection('fault', 'u0', { api_key: 'warm-up' });
    expect(await worker.stop('SIGTERM')).toBe(0);

    const secret = (what: string) => `${what}-${randomUUID()}`;
    const secrets = [secret('api-key'), secret('access-token'), secret('refresh-token'), secret('password')];
    const [apiKey, accessToken, refreshToken, password] = secrets as [string, string, string, string];
    const marker = secret('not-a-secret');
    const outcomes = await Promise.allSettled([
      nango.registerConnection('fault', 'u1', { api_key: apiKey }),
      nango.updateConnectionCredentials('fault', 'u0', { access_token: accessToken, refresh_token: refreshToken }),
      nango.registerConnection('fault', 'u2', { username: 'someone', password }),
      nango.triggerAction('fault', 'echo', 'u0', { marker }),
    ]);
    expect(outcomes.map((o) => o.status === 'rejected' && (o.reason as { code?: string }).code)).toEqual([
      'timeout',
      'timeout',
      'timeout',
      'timeout',
    ]);

    // Expired: the control went to the dead-letter queue, the credential-bearing ones nowhere.
    const dead = `${faults.queue}.dead`;
    await waitFor(async () => (await messageCount(node.url, dead)) === 1, 10_000, 'the expired control to be dead-lettered');
    expect(await messageCount(node.url, faults.queue)).toBe(0);
    await waitFor(async () => (await messageCount(node.url, credentialsQueue(faults.queue))) === 0, 10_000, 'expiry');
    const deadBodies = await peek(node.url, dead);
    expect(deadBodies).toHaveLength(1);
    expect(deadBodies[0]).toContain(marker);
    for (const value of secrets) expect(deadBodies[0]).not.toContain(value);

    // Everything the node keeps, written out: the control is on disk, no credential is.
    await node.ctl(['stop_app'], 60_000);
    const onDisk = search(node.dataDir, [marker, ...secrets]);
    await node.ctl(['start_app'], 60_000);
    await node.waitUntilReady();
    expect(onDisk).toEqual([marker]);
  }, 120_000);

  it('refuses a credential-bearing request published persistent or to the request queue, without dead-lettering it', async () => {
    const [node, faults] = [broker, rig];
    if (!node || !faults) throw new Error('beforeAll did not finish');
    await faults.startWorker();
    const deadBefore = await messageCount(node.url, `${faults.queue}.dead`);
    const body = { type: 'registerConnection', integration: 'fault', userId: 'u3', credentials: { api_key: 'k' } };
    const replies = await Promise.all([
      call(node.url, credentialsQueue(faults.queue), body, true),
      call(node.url, faults.queue, body, false),
      call(node.url, faults.queue, { ...body, type: 'updateConnectionCredentials' }, true),
    ]);
    for (const reply of replies) {
      expect(reply).toMatchObject({ success: false, errorCode: 'credentials_not_transient' });
      expect(reply['errorMsg']).toContain('publish it non-persistent to the queue <queue>.credentials');
    }
    expect(await messageCount(node.url, `${faults.queue}.dead`)).toBe(deadBefore);
    const nango = await faults.client();
    await expect(nango.getConnectionsForUserId('u3')).resolves.toEqual({ success: true, returnValue: [] });
    await nango.registerConnection('fault', 'u3', { api_key: 'k' }); // the client's own way works
    await expect(nango.getConnectionsForUserId('u3')).resolves.toMatchObject({ returnValue: [{ userId: 'u3' }] });
  }, 60_000);
});

/** The bodies of the messages in `queue`, left in it (read unacked, then returned when the connection closes). */
async function peek(url: string, queue: string): Promise<string[]> {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createChannel();
    const bodies: string[] = [];
    for (let msg = await channel.get(queue); msg; msg = await channel.get(queue)) bodies.push(msg.content.toString());
    return bodies;
  } finally {
    await connection.close();
  }
}

/** Which of `needles` occur in any file under `folder`. */
function search(folder: string, needles: string[]): string[] {
  const found = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      const stat = statSync(path);
      if (stat.isDirectory()) walk(path);
      else if (stat.isFile()) {
        const bytes = readFileSync(path);
        for (const needle of needles) if (bytes.includes(needle)) found.add(needle);
      }
    }
  };
  walk(folder);
  return needles.filter((needle) => found.has(needle));
}

/** Publishes one raw request and waits (up to 5 s) for its reply on direct reply-to. */
async function call(url: string, queue: string, body: unknown, persistent: boolean): Promise<Record<string, unknown>> {
  const content = Buffer.from(JSON.stringify(body));
  const reply = await sendRaw(queue, content, { url, persistent, contentType: 'application/json' });
  if (!reply) throw new Error(`no reply from ${queue} within 5 s`);
  return reply;
}
