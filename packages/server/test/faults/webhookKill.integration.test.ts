import { officialNango } from '../webhooks/officialSdk';
import { startReceiver, type Receiver } from '../webhooks/webhookReceiver';
import { FaultRig, RIG_STORES } from './faultHarness';

const KEY = 'sk-webhook-kill-key';
const TIMEOUT_MS = 2_000;
/** The deliverer's lease: one attempt's time limit plus its 15 s margin (see WebhookDeliverer). */
const LEASE_MS = TIMEOUT_MS + 15_000;

// Worker A is SIGKILLed while its webhook POST hangs at the receiver: the delivery stays leased to a dead process.
// Worker B, on the same database, sends it once the lease has run out. Delivery is at least once: the receiver saw
// A's attempt too, unanswered.
describe.each(RIG_STORES)('fault: a server killed in the middle of a webhook POST, on %s', (store) => {
  let rig: FaultRig;
  let receiver: Receiver;

  beforeEach(async () => {
    rig = await FaultRig.start({ store });
  });
  afterEach(async () => {
    await rig.close();
    await receiver.close();
  });

  it('lets another server deliver it once the lease of the dead one ends', async () => {
    let hang = true;
    receiver = await startReceiver(0, () => (hang ? { status: 200, delayMs: 60_000 } : { status: 200 }));
    const env = {
      NANGO_WEBHOOK_URL: receiver.url,
      NANGO_SECRET_KEY: KEY,
      NANGO_WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS),
      NANGO_WEBHOOK_RETRY_BASE_MS: '100',
    };
    const a = await rig.startWorker(env);
    const nango = await rig.client();
    await nango.registerConnection('fault', 'u1', { api_key: 'k' });
    await receiver.waitFor((got) => got.length === 1);
    expect(await a.stop('SIGKILL')).toBeNull();
    hang = false;

    await rig.startWorker(env);
    await receiver.waitFor((got) => got.length === 2, LEASE_MS + 15_000);
    const [first, second] = receiver.received;
    expect(second?.body).toBe(first?.body);
    expect(second?.status).toBe(200);
    // Not before the dead worker's lease ended: it was taken just before the POST the worker was killed in.
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(LEASE_MS - 1_000);
    expect(JSON.parse(second?.body ?? '{}')).toMatchObject({ type: 'auth', operation: 'creation', connectionId: 'u1' });
    expect(officialNango(KEY).verifyIncomingWebhookRequest(second?.body ?? '', second?.headers ?? {})).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.received).toHaveLength(2);
  }, 60_000);
});
