import { generateKey } from '../../src/encryption/Keyring';
import { createTestDatabase, type TestDatabase } from '../helpers/pgDatabase';
import { startHarness, type Harness } from '../helpers/harness';
import { RecordingOperationLog } from '../helpers/RecordingOperationLog';
import { startReceiver, type Receiver } from '../webhooks/webhookReceiver';

/** Part of the webhook URL's path: receivers often put a token there, so only the host may be recorded. */
const PATH_TOKEN = 'hook-path-token-0f9e8d';

describe.each(['sqlite', 'postgres'] as const)('webhook delivery attempts in the operations log (%s)', (kind) => {
  let receiver: Receiver;
  let database: TestDatabase | undefined;
  let h: Harness;
  let log: RecordingOperationLog;
  const savedKey = process.env['NANGO_ENCRYPTION_KEY'];

  beforeEach(async () => {
    // Fails the first attempt of every webhook, accepts the second.
    receiver = await startReceiver(0, (_request, index) => ({ status: index % 2 === 0 ? 500 : 200 }));
    database = kind === 'postgres' ? await createTestDatabase() : undefined;
    // A PostgreSQL store takes its key from the environment, as every worker sharing it does.
    if (database) process.env['NANGO_ENCRYPTION_KEY'] ??= generateKey();
    log = new RecordingOperationLog();
    h = await startHarness({
      yaml: 'integrations:\n  keyed:\n    auth_mode: API_KEY\n    base_url: https://keyed.example.test\n    headers:\n      X-Key: ${api_key}\n',
      operationLog: log,
      webhookUrl: `${receiver.url}/hooks/${PATH_TOKEN}`,
      webhookRetryBaseMs: 50,
      webhookMaxAttempts: 3,
      ...(database && { databaseUrl: database.url }),
    });
  }, 30_000);
  afterEach(async () => {
    await h?.stop();
    await receiver?.close();
    await database?.drop();
    if (savedKey === undefined) delete process.env['NANGO_ENCRYPTION_KEY'];
  });

  it('records each attempt: the one the receiver refused, then the one it took', async () => {
    await h.nango.registerConnection('keyed', 'u1', { api_key: 'k' });
    await receiver.waitFor((received) => received.length === 2);
    const delivered = await log.ended('webhook', (op) => op.status === 'success');
    const attempts = log.ofKind('webhook');
    expect(attempts).toHaveLength(2);
    const [refused] = attempts;
    expect(refused).toMatchObject({
      name: 'auth',
      integration: 'keyed',
      connectionId: 'u1',
      status: 'failed',
      error: { code: 'http_500', message: 'HTTP 500' },
      fields: { attempt: 1, status: 500, willRetry: true, maxAttempts: 3, host: new URL(receiver.url).host },
      messages: [expect.objectContaining({ text: expect.stringMatching(/^sent again at \d{4}-/) })],
    });
    expect(delivered).toMatchObject({
      name: 'auth',
      status: 'success',
      error: null,
      fields: { attempt: 2, status: 200, delivery: refused?.fields['delivery'] },
    });
    expect(log.dump()).not.toContain(PATH_TOKEN);
  });
});
