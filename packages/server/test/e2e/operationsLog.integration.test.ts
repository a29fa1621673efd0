import { join } from 'node:path';
import type { NangoError } from '@nangohq/node-client';
import { Nango } from '@nangohq/node';
import { startHarness, waitFor, type Harness } from '../helpers/harness';

// The operations log end to end, as a user meets it: a worker with its HTTP API and its own store-backed log (no
// test double), actions triggered over RabbitMQ, then read back through GET /logs/operations with our SDK.
const KEY = 'e2e-logs-secret-key';
const API_KEY = 'api-key-of-u1-never-in-the-log';
const YAML = `
integrations:
  keyed:
    auth_mode: API_KEY
    base_url: https://keyed.example.test
    headers:
      X-Api-Key: \${api_key}
    actions:
      behaves:
`;

describe('the operations log of a real worker, read with our SDK', () => {
  let h: Harness;
  let sdk: Nango;

  beforeAll(async () => {
    h = await startHarness({
      yaml: YAML,
      integrationsDir: join(__dirname, '..', 'fixtures', 'operations'),
      port: 0,
      secretKey: KEY,
    });
    sdk = new Nango({ host: h.worker.httpUrl as string, secretKey: KEY });
    await h.nango.registerConnection('keyed', 'u-1', { api_key: API_KEY });
  });
  afterAll(() => h?.stop());

  it('lists a successful and a failed run with the ids their callers got, their messages and the failure', async () => {
    const ok = await h.nango.triggerAction('keyed', 'behaves', 'u-1', { lines: ['step one', 'step two'] });
    const failed = (await h.nango
      .triggerAction('keyed', 'behaves', 'u-1', { lines: ['loading inv_42', 'the API answered 404'], fail: 'inv_42 not found' })
      .catch((error: unknown) => error)) as NangoError;
    expect(failed.code).toBe('action_failed');
    const ids = [ok.operationId, failed.operationId];
    expect(ids).toEqual([expect.any(String), expect.any(String)]);
    // Readable, not enumerable: the result still compares and serialises as spec 1's { success, returnValue }.
    expect(ok).toEqual({ success: true, returnValue: 'done' });
    expect(JSON.stringify(ok)).toBe('{"success":true,"returnValue":"done"}');

    // Written in batches off the call's path: there within a few hundred milliseconds.
    let listed: Awaited<ReturnType<Nango['listOperations']>>['operations'] = [];
    await waitFor(
      async () => {
        listed = (await sdk.listOperations({ kind: 'action', connectionId: 'u-1' })).operations;
        return ids.every((id) => listed.some((operation) => operation.id === id && operation.status !== 'running'));
      },
      10_000,
      'both runs in the log',
    );
    // Newest first: the failed run came second.
    expect(listed.map((operation) => operation.id)).toEqual([failed.operationId, ok.operationId]);
    expect(listed[0]).toMatchObject({
      kind: 'action',
      name: 'behaves',
      integration: 'keyed',
      connection_id: 'u-1',
      status: 'failed',
      error: { code: 'action_failed', message: expect.stringContaining('inv_42 not found') },
    });
    expect(listed[1]).toMatchObject({ status: 'success', error: null });

    const detail = await sdk.getOperation(failed.operationId as string);
    const texts = detail.messages.map((message) => message.text);
    expect(texts).toEqual(expect.arrayContaining(['loading inv_42', 'the API answered 404']));
    // The filters find it too: by status, by error code, by a word of its messages.
    expect((await sdk.listOperations({ status: 'failed', errorCode: 'action_failed' })).operations.map((o) => o.id)).toContain(
      failed.operationId,
    );
    expect((await sdk.listOperations({ q: 'inv_42' })).operations.map((o) => o.id)).toContain(failed.operationId);
    // The Connection's key reached the action's headers, never the log.
    const everything = JSON.stringify([listed, detail, (await sdk.listOperations({})).operations]);
    expect(everything).not.toContain(API_KEY);
  });
});
