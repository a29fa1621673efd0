import { randomUUID } from 'node:crypto';
import { credentialsQueue } from '@nangohq/protocol';
import { FOUR_AUTH_MODES_YAML } from '../helpers/fourAuthModes';
import { sendRaw, startHarness, type Harness } from '../helpers/harness';
import { startReceiver, type Receiver } from '../webhooks/webhookReceiver';

// A registration whose first worker stored the Connection and then lost its broker connection before the ack (or
// the reply) reaches a second worker as a redelivery. The same message delivered twice must be recognised as one
// registration: both answers success, one Connection, one auth webhook. A different registration of the same user
// is still refused.
describe('a registerConnection delivered twice', () => {
  let receiver: Receiver | undefined;
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    await receiver?.close();
    h = undefined;
    receiver = undefined;
  });

  const registration = (userId: string, apiKey: string) =>
    Buffer.from(JSON.stringify({ type: 'registerConnection', integration: 'example', userId, credentials: { api_key: apiKey } }));

  it('answers success both times, with one Connection and one auth webhook; another registration is refused', async () => {
    receiver = await startReceiver();
    h = await startHarness({ yaml: FOUR_AUTH_MODES_YAML, webhookUrl: receiver.url, webhookRetryBaseMs: 100, port: 0 });
    const queue = credentialsQueue(h.queue);
    const content = registration('twice', 'key-of-the-first-registration');
    const correlationId = randomUUID();

    const first = await sendRaw(queue, content, { correlationId, contentType: 'application/json' });
    const second = await sendRaw(queue, content, { correlationId, contentType: 'application/json' });
    expect(first).toEqual({ success: true });
    expect(second).toEqual({ success: true });

    const connections = (await h.nango.getConnectionsForUserId('twice')).returnValue ?? [];
    expect(connections.map((c) => c.integration)).toEqual(['example']);
    await receiver.waitFor((got) => got.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 500)); // a second webhook would have come by now
    const auth = receiver.received.map((r) => JSON.parse(r.body) as { type: string; connectionId: string });
    expect(auth.filter((w) => w.type === 'auth' && w.connectionId === 'twice')).toHaveLength(1);

    // Another request for the same user: its own correlation id, or the same id with another body.
    const other = await sendRaw(queue, content, { correlationId: randomUUID(), contentType: 'application/json' });
    expect(other).toMatchObject({ success: false, errorCode: 'connection_exists' });
    const changed = registration('twice', 'key-of-another-registration');
    const reused = await sendRaw(queue, changed, { correlationId, contentType: 'application/json' });
    expect(reused).toMatchObject({ success: false, errorCode: 'connection_exists' });
    expect((await h.nango.getToken('example', 'twice')).returnValue).toBe('key-of-the-first-registration');
  }, 60_000);
});
