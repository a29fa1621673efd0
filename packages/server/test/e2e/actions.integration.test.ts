import type { NangoError } from '@nangohq/node-client';
import { startHarness, waitFor, type Harness } from '../helpers/harness';

const YAML = `
integrations:
  demo:
    auth_mode: API_KEY
    base_url: https://demo.example.test
    query_params:
      key: \${api_key}
    actions:
      echo:
      withHelper:
      returnsNothing:
      logsSecrets:
  broken:
    auth_mode: API_KEY
    base_url: https://broken.example.test
    headers:
      X-Key: \${api_key}
    action_timeout_ms: 300
    actions:
      throws:
      hangs:
      notJson:
      syntaxError:
      throwsAtImport:
      noActionClass:
`;

const SECRET = 'sk_live_very_secret_value';

describe('triggerAction over the real broker', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ yaml: YAML });
    await h.nango.registerConnection('demo', '1', { api_key: SECRET }, { channelId: 'C42' });
    await h.nango.registerConnection('broken', '1', { api_key: SECRET });
  });
  afterEach(async () => {
    await h.stop();
  });

  it('replies with what executeAction returned, with the Connection injected', async () => {
    const result = await h.nango.triggerAction('demo', 'echo', 1, { msg: 'Please post this message' });
    expect(result).toEqual({
      success: true,
      returnValue: {
        input: { msg: 'Please post this message' },
        userId: '1',
        additionalConfig: { channelId: 'C42' },
        credentialKeys: ['raw', 'api_key'],
      },
    });
  });

  it('runs actions that import helpers, and actions that return nothing', async () => {
    await expect(h.nango.triggerAction('demo', 'withHelper', '1', { text: 'hi' })).resolves.toEqual({
      success: true,
      returnValue: 'HI!',
    });
    await expect(h.nango.triggerAction('demo', 'returnsNothing', '1', {})).resolves.toEqual({ success: true });
  });

  it.each([
    ['throws', 'action_failed', /^Slack said: channel_not_found$/],
    ['hangs', 'action_timeout', /broken\.hangs did not finish within 300 ms/],
    ['notJson', 'action_result_not_json', /cannot be sent as JSON: Do not know how to serialize a BigInt/],
    ['syntaxError', 'action_load_failed', /syntaxError\.action\.ts: does not compile: .*:5:\d+: Unexpected ";"/],
    ['throwsAtImport', 'action_load_failed', /throwsAtImport\.action\.ts: threw while loading: cannot start: MISSING_SETTING/],
    ['noActionClass', 'action_load_failed', /no exported class extending NangoAction/],
  ])('reports a %s action with its own code, and the worker keeps going', async (action, code, message) => {
    const error = (await h.nango.triggerAction('broken', action, '1', {}).catch((e: unknown) => e)) as NangoError;
    expect(error.code).toBe(code);
    expect(error.errorMsg).toMatch(message);
    expect(error.errorMsg).not.toMatch(/\n\s+at /); // no stack trace for the caller
    await expect(h.nango.triggerAction('demo', 'withHelper', '1', { text: 'ok' })).resolves.toMatchObject({ success: true });
  });

  it('names unknown integrations, unknown actions and missing Connections', async () => {
    await expect(h.nango.triggerAction('nope', 'echo', '1', {})).rejects.toMatchObject({ code: 'unknown_integration' });
    await expect(h.nango.triggerAction('demo', 'twoClasses', '1', {})).rejects.toMatchObject({
      code: 'unknown_action',
      errorMsg: "Integration 'demo' has no action 'twoClasses'; declared: echo, withHelper, returnsNothing, logsSecrets",
    });
    await expect(h.nango.triggerAction('demo', 'echo', 'ghost', {})).rejects.toMatchObject({
      code: 'connection_not_found',
      errorMsg: "No Connection for user 'ghost' on integration 'demo': register one with registerConnection first",
    });
    await expect(h.nango.triggerAction('demo', '..', '1', {})).rejects.toMatchObject({ code: 'invalid_message' });
  });

  it('logs one structured line per run and the action’s own lines, tagged alike, never the secret', async () => {
    await h.nango.triggerAction('demo', 'echo', '1', { msg: 'tagged' });
    await h.nango.triggerAction('broken', 'throws', '1', {}).catch(() => undefined);
    await waitFor(() => h.logs.filter((l) => l.msg === 'action run').length >= 2, 2_000, 'action run lines');
    const runs = h.logs.filter((l) => l.msg === 'action run');
    const echoRun = runs.find((l) => l['action'] === 'echo' && l['outcome'] === 'success');
    expect(echoRun).toMatchObject({
      integration: 'demo',
      userId: '1',
      executionId: expect.any(String),
      durationMs: expect.any(Number),
    });
    const own = h.logs.find((l) => l.msg === 'echoing' && l['executionId'] === echoRun?.['executionId']);
    expect(own).toMatchObject({ integration: 'demo', action: 'echo', userId: '1', length: expect.any(Number) });
    const failed = runs.find((l) => l['action'] === 'throws');
    expect(failed).toMatchObject({
      outcome: 'action_failed',
      error: 'Slack said: channel_not_found',
      stack: expect.stringContaining('throws.action.ts'),
    });
    expect(h.rawLogs.join('')).not.toContain(SECRET);
  });

  it("keeps the Connection's credentials out of an action's log lines, however the action passes them", async () => {
    await expect(h.nango.triggerAction('demo', 'logsSecrets', '1', {})).resolves.toMatchObject({ success: true });
    await waitFor(() => h.logs.some((l) => l.msg === 'failed'), 2_000, 'the action log lines');
    const raw = h.rawLogs.join('');
    for (const form of [SECRET, encodeURIComponent(SECRET), Buffer.from(SECRET).toString('base64'), SECRET.slice(3, 15)]) {
      expect(raw).not.toContain(form);
    }
    const line = (msg: string) => h.logs.find((l) => l.msg === msg && l['source'] === 'action');
    expect(line('the connection')).toMatchObject({
      connection: { userId: '1', additionalConfig: { channelId: 'C42' }, credentials: '[redacted]' },
    });
    expect(line('nested')).toMatchObject({
      request: { params: [{ name: 'key', value: '[redacted]' }], header: 'Bearer [redacted]' },
    });
    expect(line('calling with [redacted] now')).toMatchObject({ encoded: '[redacted]', base64: '[redacted]' });
    expect(line('failed')).toMatchObject({ err: { message: 'the API refused [redacted]' }, partial: '[redacted]' });

    // An action error that quotes the key: the caller and the run's log line get it scrubbed.
    const failed = await h.nango.triggerAction('demo', 'logsSecrets', '1', { fail: true }).catch((e: unknown) => e);
    expect(failed).toMatchObject({ code: 'action_failed', errorMsg: 'the API refused the key [redacted]' });
    await waitFor(() => h.logs.some((l) => l['outcome'] === 'action_failed' && l['action'] === 'logsSecrets'), 2_000, 'run');
    expect(h.rawLogs.join('')).not.toContain(SECRET);
  });

  it('runs many actions at once', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => h.nango.triggerAction('demo', 'withHelper', '1', { text: `n${i}` })),
    );
    expect(results.map((r) => r.returnValue)).toEqual(Array.from({ length: 50 }, (_, i) => `N${i}!`));
  });
});
