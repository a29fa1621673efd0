import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type ApiServer } from '../helpers/apiServer';
import { FIXTURES_DIR, startHarness, type Harness } from '../helpers/harness';

/**
 * Which failures of a keyed call become the key's outcome: only those of an action that had started. One that
 * failed before (here: the token refresh) is released, so a retry with the same key runs the action.
 */
describe('idempotency keys and failures, over the real broker', () => {
  let api: ApiServer;
  let dir: string;
  let h: Harness;

  beforeEach(async () => {
    // The token endpoint rejects every refresh token: the Connection needs authorising again.
    api = await startApiServer((req) =>
      req.url === '/token' ? { status: 400, body: { error: 'invalid_grant' } } : { body: { path: req.url } },
    );
    dir = mkdtempSync(join(tmpdir(), 'nango-idempotency-'));
    mkdirSync(join(dir, 'api'));
    cpSync(join(FIXTURES_DIR, 'api', 'call.action.ts'), join(dir, 'api', 'call.action.ts'));
    const yaml = `integrations:\n  api:\n    auth_mode: OAUTH2\n    base_url: ${api.url}\n    oauth:\n      token_url: ${api.url}/token\n      client_id: id\n      client_secret: secret\n    actions:\n      call:\n`;
    h = await startHarness({ yaml, integrationsDir: dir });
  });
  afterEach(async () => {
    await h.stop();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = (endpoint: string) => h.nango.triggerAction('api', 'call', '1', { endpoint }, { idempotencyKey: 'order-42' });
  const apiCalls = () => api.requests.filter((r) => r.url !== '/token');

  it('does not keep a failure from before the action started: a retry with the key runs it', async () => {
    const expired = new Date(Date.now() - 60_000).toISOString();
    await h.nango.registerConnection('api', '1', { access_token: 'a1', refresh_token: 'r1', expires_at: expired });
    await expect(call('first')).rejects.toMatchObject({ code: 'connection_needs_reauthorization' });
    expect(apiCalls()).toHaveLength(0);

    await h.nango.updateConnectionCredentials('api', '1', { access_token: 'a2', refresh_token: 'r2', expires_in: 3600 });
    await expect(call('second')).resolves.toMatchObject({ success: true, returnValue: { body: { path: '/second' } } });
    await expect(call('second')).resolves.toMatchObject({ returnValue: { body: { path: '/second' } } }); // kept from now on
    // The key is bound to its action and input: reused for another input, it is refused, and nothing runs.
    await expect(call('third')).rejects.toMatchObject({ code: 'idempotency_key_reused' });
    expect(apiCalls().map((r) => r.url)).toEqual(['/second']);
  });

  it('keeps the failure of an action that had started, and replays it', async () => {
    await h.nango.registerConnection('api', '1', { access_token: 'a1', refresh_token: 'r1', expires_in: 3600 });
    await expect(call('https://elsewhere.example/x')).rejects.toMatchObject({ code: 'http_host_not_allowed' });
    await expect(call('https://elsewhere.example/x')).rejects.toMatchObject({ code: 'http_host_not_allowed' });
    expect(apiCalls()).toHaveLength(0);
  });
});
