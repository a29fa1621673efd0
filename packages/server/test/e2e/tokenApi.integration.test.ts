import { startHarness, type Harness } from '../helpers/harness';
import { FOUR_AUTH_MODES_YAML } from '../helpers/fourAuthModes';

const YAML = FOUR_AUTH_MODES_YAML;

/** Every secret registered below: none may show up where it should not (listings, the worker's log). */
const SECRETS = {
  accessToken: 'xoxb-access-1111',
  refreshToken: 'refresh-secret-2222',
  oauthToken: 'oauth-token-3333',
  oauthTokenSecret: 'oauth-secret-4444',
  apiKey: 'sk-api-key-5555',
  password: 'password-6666',
};

describe('The token API over the real broker (specs 3, 4 and 5)', () => {
  let h: Harness;
  const expiresAt = new Date(Date.now() + 2 * 3600_000).toISOString(); // far from the refresh margin

  beforeEach(async () => {
    h = await startHarness({ yaml: YAML });
    const { nango } = h;
    await nango.registerConnection(
      'slack',
      '1',
      { access_token: SECRETS.accessToken, refresh_token: SECRETS.refreshToken, expires_at: expiresAt, scope: 'chat:write' },
      { channelId: 'C1' },
    );
    await nango.registerConnection('twitter', '1', {
      oauth_token: SECRETS.oauthToken,
      oauth_token_secret: SECRETS.oauthTokenSecret,
    });
    await nango.registerConnection('example', 2, { api_key: SECRETS.apiKey }, { plan: 'free', region: 'eu' });
    await nango.registerConnection('basic', '2', { username: 'me@example.com', password: SECRETS.password });
  });
  afterEach(async () => {
    await h.stop();
  });

  it('getToken answers the token of each auth mode', async () => {
    const { nango } = h;
    await expect(nango.getToken('slack', '1')).resolves.toEqual({ success: true, returnValue: SECRETS.accessToken });
    await expect(nango.getToken('slack', 1, false)).resolves.toEqual({ success: true, returnValue: SECRETS.accessToken });
    await expect(nango.getToken('example', 2)).resolves.toEqual({ success: true, returnValue: SECRETS.apiKey });
    await expect(nango.getToken('twitter', '1')).resolves.toEqual({
      success: true,
      returnValue: { oAuthToken: SECRETS.oauthToken, oAuthTokenSecret: SECRETS.oauthTokenSecret },
    });
    await expect(nango.getToken('basic', '2')).resolves.toEqual({
      success: true,
      returnValue: { username: 'me@example.com', password: SECRETS.password },
    });
    await expect(nango.getToken('slack', 'ghost')).rejects.toMatchObject({ code: 'connection_not_found' });
    await expect(nango.getToken('nope', '1')).rejects.toMatchObject({ code: 'unknown_integration' });
  });

  it('getRawTokenResponse answers exactly what was registered', async () => {
    await expect(h.nango.getRawTokenResponse('slack', '1')).resolves.toEqual({
      success: true,
      returnValue: {
        access_token: SECRETS.accessToken,
        refresh_token: SECRETS.refreshToken,
        expires_at: expiresAt,
        scope: 'chat:write',
      },
    });
    await expect(h.nango.getRawTokenResponse('example', 2)).resolves.toEqual({
      success: true,
      returnValue: { api_key: SECRETS.apiKey },
    });
  });

  it('getConnection leaves the refresh token out unless asked for', async () => {
    const plain = await h.nango.getConnection('slack', '1');
    expect(plain.returnValue).toEqual({
      uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      integration: 'slack',
      userId: '1',
      dateCreated: expect.any(String),
      lastModified: expect.any(String),
      additionalConfig: { channelId: 'C1' },
      authorization: 'ok',
      credentials: {
        access_token: SECRETS.accessToken,
        expires_at: expiresAt,
        raw: { access_token: SECRETS.accessToken, expires_at: expiresAt, scope: 'chat:write' },
      },
    });
    expect(JSON.stringify(plain)).not.toContain(SECRETS.refreshToken);
    expect(JSON.stringify(await h.nango.getConnection('slack', '1', false, false))).not.toContain(SECRETS.refreshToken);

    const withToken = await h.nango.getConnection('slack', 1, false, true);
    expect(withToken.returnValue?.credentials).toMatchObject({
      refresh_token: SECRETS.refreshToken,
      raw: { refresh_token: SECRETS.refreshToken },
    });
    const basic = await h.nango.getConnection('basic', '2');
    expect(basic.returnValue?.credentials).toEqual({
      username: 'me@example.com',
      password: SECRETS.password,
      raw: { username: 'me@example.com', password: SECRETS.password },
    });
  });

  it("listConnections answers spec 4's shape, for everyone or one user, without credentials", async () => {
    const all = await h.nango.listConnections();
    expect(all).toEqual({
      success: true,
      returnValue: {
        connections: [
          { connection_id: '2', provider: 'basic', created: expect.any(String) },
          { connection_id: '2', provider: 'example', created: expect.any(String) },
          { connection_id: '1', provider: 'slack', created: expect.any(String) },
          { connection_id: '1', provider: 'twitter', created: expect.any(String) },
        ],
      },
    });
    const created = all.returnValue?.connections[0]?.created ?? '';
    expect(new Date(created).toISOString()).toBe(created);
    await expect(h.nango.listConnections(1)).resolves.toEqual({
      success: true,
      returnValue: {
        connections: [
          { connection_id: '1', provider: 'slack', created: expect.any(String) },
          { connection_id: '1', provider: 'twitter', created: expect.any(String) },
        ],
      },
    });
    await expect(h.nango.listConnections('nobody')).resolves.toEqual({ success: true, returnValue: { connections: [] } });
    for (const secret of Object.values(SECRETS)) expect(JSON.stringify(all)).not.toContain(secret);
  });

  it('deleteConnection deletes one Connection; then it is not found', async () => {
    await expect(h.nango.deleteConnection('slack', 1)).resolves.toEqual({ success: true });
    await expect(h.nango.getConnection('slack', '1')).rejects.toMatchObject({ code: 'connection_not_found' });
    await expect(h.nango.getToken('slack', '1')).rejects.toMatchObject({ code: 'connection_not_found' });
    await expect(h.nango.deleteConnection('slack', '1')).rejects.toMatchObject({
      code: 'connection_not_found',
      errorMsg: expect.stringContaining("user '1' on integration 'slack'"),
    });
    const left = await h.nango.listConnections('1');
    expect(left.returnValue?.connections).toEqual([{ connection_id: '1', provider: 'twitter', created: expect.any(String) }]);
    // A deleted Connection can be registered again.
    await expect(h.nango.registerConnection('slack', '1', { access_token: 'new' })).resolves.toEqual({ success: true });
  });

  it('getMetadata, setMetadata and updateMetadata on one Connection', async () => {
    const { nango } = h;
    await expect(nango.getMetadata('example', 2)).resolves.toEqual({
      success: true,
      returnValue: { plan: 'free', region: 'eu' },
    });
    await expect(nango.updateMetadata('example', '2', { plan: 'pro', limits: { calls: 10 } })).resolves.toEqual({
      success: true,
    });
    await expect(nango.getMetadata('example', '2')).resolves.toEqual({
      success: true,
      returnValue: { plan: 'pro', region: 'eu', limits: { calls: 10 } },
    });
    await expect(nango.updateMetadata('example', '2', { limits: { users: 1 } })).resolves.toEqual({ success: true });
    expect((await nango.getMetadata('example', '2')).returnValue).toEqual({ plan: 'pro', region: 'eu', limits: { users: 1 } });
    await expect(nango.setMetadata('example', 2, { plan: 'enterprise' })).resolves.toEqual({ success: true });
    expect((await nango.getMetadata('example', '2')).returnValue).toEqual({ plan: 'enterprise' });
    // Metadata is the additionalConfig the other calls see.
    expect(
      (await nango.getConnectionsForUserId('2')).returnValue?.find((c) => c.integration === 'example')?.additionalConfig,
    ).toEqual({
      plan: 'enterprise',
    });
    await expect(nango.getMetadata('example', 'ghost')).rejects.toMatchObject({ code: 'connection_not_found' });
  });

  it('setMetadata and updateMetadata on several Connections, all or none', async () => {
    const { nango } = h;
    await nango.registerConnection('slack', '2', { access_token: 'a2' }, { channelId: 'C2' });
    await nango.registerConnection('slack', '3', { access_token: 'a3' });
    await expect(nango.updateMetadata('slack', ['1', 2, '3'], { team: 'T1' })).resolves.toEqual({ success: true });
    expect((await nango.getMetadata('slack', '1')).returnValue).toEqual({ channelId: 'C1', team: 'T1' });
    expect((await nango.getMetadata('slack', '2')).returnValue).toEqual({ channelId: 'C2', team: 'T1' });
    expect((await nango.getMetadata('slack', '3')).returnValue).toEqual({ team: 'T1' });

    await expect(nango.setMetadata('slack', ['1', '2'], { team: 'T2' })).resolves.toEqual({ success: true });
    expect((await nango.getMetadata('slack', '1')).returnValue).toEqual({ team: 'T2' });
    expect((await nango.getMetadata('slack', '2')).returnValue).toEqual({ team: 'T2' });

    const before = (await nango.getConnectionsForIntegration('slack')).returnValue;
    await expect(nango.setMetadata('slack', ['1', 'ghost', '2', 'phantom'], { team: 'X' })).rejects.toMatchObject({
      code: 'connection_not_found',
      errorMsg: expect.stringContaining("users 'ghost', 'phantom' on integration 'slack': nothing was changed"),
    });
    await expect(nango.updateMetadata('slack', ['3', 'ghost'], { team: 'X' })).rejects.toMatchObject({
      code: 'connection_not_found',
      errorMsg: expect.stringContaining("user 'ghost'"),
    });
    expect((await nango.getConnectionsForIntegration('slack')).returnValue).toEqual(before); // lastModified included
  });

  it('refuses metadata that is not an object, in the client and in the worker', async () => {
    await expect(h.nango.setMetadata('slack', '1', [] as never)).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(h.nango.updateMetadata('slack', [], {})).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(h.nango.getMetadata('bad/name', '1')).rejects.toMatchObject({
      code: 'invalid_message',
      errorMsg: expect.stringContaining('integration: must match pattern'),
    });
  });

  it('writes no credential to the worker log', async () => {
    const { nango } = h;
    await nango.getToken('slack', '1');
    await nango.getToken('twitter', '1');
    await nango.getToken('basic', '2');
    await nango.getRawTokenResponse('slack', '1');
    await nango.getConnection('slack', '1', false, true);
    await nango.getConnection('example', '2');
    await nango.listConnections();
    await nango.getToken('basic', 'ghost').catch(() => undefined);
    const log = h.rawLogs.join('\n');
    for (const secret of Object.values(SECRETS)) expect(log).not.toContain(secret);
  });
});
