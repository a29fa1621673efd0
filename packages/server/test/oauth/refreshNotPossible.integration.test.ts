import type { NangoError } from '@nangohq/node-client';
import { startHarness, type Harness } from '../helpers/harness';

// Spec 1's own OAuth 2 example registers an access token with a refresh token on an integration that names no
// token endpoint. Once the token has expired nothing can refresh it: say so once in the log, and in every error.
describe('an expired token on an integration without a token URL', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({
      yaml: 'integrations:\n  demo:\n    auth_mode: OAUTH2\n    base_url: http://127.0.0.1:9\n    actions:\n      echo:\n',
    });
  });

  afterEach(async () => {
    await h.stop();
  });

  const warnings = () => h.logs.filter((line) => line.level === 40 && String(line.msg).includes('cannot be refreshed'));
  const failure = async (promise: Promise<unknown>) =>
    (await promise.then(
      () => undefined,
      (e: unknown) => e,
    )) as NangoError;

  it('fails every call with refresh_not_possible saying what to configure, and logs it once per Connection', async () => {
    const expired = new Date(Date.now() - 60_000);
    await h.nango.registerConnection('demo', 'u1', { access_token: 'old', refresh_token: 'r', expires_at: expired });
    await h.nango.registerConnection('demo', 'u2', { access_token: 'old2', refresh_token: 'r2', expires_at: expired });
    for (let i = 0; i < 3; i++) {
      const error = await failure(h.nango.triggerAction('demo', 'echo', 'u1', {}));
      expect(error.code).toBe('refresh_not_possible');
      expect(error.errorMsg).toContain(
        "integration 'demo' has no oauth token_url and client_id: set integrations.demo.oauth.token_url, client_id and client_secret in integrations.yaml",
      );
      expect(error.errorMsg).toContain('or register fresh credentials with updateConnectionCredentials');
    }
    await expect(h.nango.getToken('demo', 'u1')).rejects.toMatchObject({ code: 'refresh_not_possible' });
    await expect(h.nango.triggerAction('demo', 'echo', 'u2', {})).rejects.toMatchObject({ code: 'refresh_not_possible' });
    const { returnValue: connections } = await h.nango.getConnectionsForIntegration('demo');
    const uuids = Object.fromEntries((connections ?? []).map((c) => [c.userId, c.uuid]));
    expect(warnings().map((line) => [line['userId'], line['connection'], line['integration']])).toEqual([
      ['u1', uuids['u1'], 'demo'],
      ['u2', uuids['u2'], 'demo'],
    ]);
    expect(h.rawLogs.join('')).not.toContain('old2');
  });

  it('logs again once the credentials are replaced by others that expire too', async () => {
    await h.nango.registerConnection('demo', 'u1', { access_token: 'a1', refresh_token: 'r', expires_at: new Date(1) });
    await failure(h.nango.triggerAction('demo', 'echo', 'u1', {}));
    await h.nango.updateConnectionCredentials('demo', 'u1', { access_token: 'a2', refresh_token: 'r', expires_at: new Date(2) });
    await failure(h.nango.triggerAction('demo', 'echo', 'u1', {}));
    await failure(h.nango.triggerAction('demo', 'echo', 'u1', {}));
    expect(warnings()).toHaveLength(2);
  });
});
