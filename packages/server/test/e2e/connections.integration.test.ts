import { NangoError } from '@nangohq/node-client';
import { startHarness, type Harness } from '../helpers/harness';
import { FOUR_AUTH_MODES_YAML } from '../helpers/fourAuthModes';

const YAML = FOUR_AUTH_MODES_YAML;

describe('Connections over the real broker (spec 1)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ yaml: YAML });
  });
  afterEach(async () => {
    await h.stop();
  });

  it('registers a Connection for each auth mode, as in the reference', async () => {
    const { nango } = h;
    await expect(
      nango.registerConnection(
        'slack',
        '1',
        { access_token: 'XXXXXXXXXX', refresh_token: 'RefreshTokenXXXXXXX', expires_at: new Date(2022, 9, 1, 23, 59, 59) },
        { config: 'ZZZZZZZ' },
      ),
    ).resolves.toEqual({ success: true });
    await nango.registerConnection(
      'twitter',
      '1',
      { oauth_token: 'XXXXXXXXXX', oauth_token_secret: 'YYYYYYYYYYYYY' },
      { config: 'ZZZZZZZ' },
    );
    await nango.registerConnection('example', '1', { api_key: 'XXXXXXXXXX' }, { config: 'ZZZZZZZ' });
    await nango.registerConnection('basic', '1', { username: 'XXXXXXXXXX', password: 'YYYYYYYY' });

    const result = await nango.getConnectionsForUserId('1');
    expect(result.success).toBe(true);
    expect(result.returnValue?.map((c) => c.integration)).toEqual(['basic', 'example', 'slack', 'twitter']);
    const slack = result.returnValue?.find((c) => c.integration === 'slack');
    expect(slack).toEqual({
      uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      integration: 'slack',
      userId: '1',
      dateCreated: expect.any(String),
      lastModified: expect.any(String),
      additionalConfig: { config: 'ZZZZZZZ' },
      authorization: 'ok',
    });
    expect(JSON.stringify(result)).not.toContain('XXXXXXXXXX');
  });

  it('stores a numeric user id as a string and finds it either way', async () => {
    await h.nango.registerConnection('example', 42, { api_key: 'k' });
    expect((await h.nango.getConnectionsForUserId('42')).returnValue?.[0]?.userId).toBe('42');
    expect((await h.nango.getConnectionsForUserId(42)).returnValue).toHaveLength(1);
  });

  it('refuses a second registration for the same user and integration', async () => {
    await h.nango.registerConnection('example', '1', { api_key: 'k' });
    const error = (await h.nango.registerConnection('example', '1', { api_key: 'k2' }).catch((e: unknown) => e)) as NangoError;
    expect(error).toBeInstanceOf(NangoError);
    expect(error).toMatchObject({ success: false, code: 'connection_exists' });
    expect(error.errorMsg).toContain("user '1' on integration 'example' already exists");
  });

  it('updates the config and the credentials, bumping lastModified', async () => {
    await h.nango.registerConnection('example', '1', { api_key: 'old' }, { channelId: 'A' });
    const before = (await h.nango.getConnectionsForIntegration('example')).returnValue?.[0];
    await new Promise((resolve) => setTimeout(resolve, 5));
    await expect(h.nango.updateConnectionConfig('example', '1', { channelId: 'X382949' })).resolves.toEqual({ success: true });
    await expect(h.nango.updateConnectionCredentials('example', '1', { api_key: 'My-new-api-key' })).resolves.toEqual({
      success: true,
    });
    const after = (await h.nango.getConnectionsForIntegration('example')).returnValue?.[0];
    expect(after?.additionalConfig).toEqual({ channelId: 'X382949' });
    expect(after && before && after.lastModified > before.lastModified).toBe(true);
    expect(after?.dateCreated).toBe(before?.dateCreated);
  });

  it('answers empty lists for a user or an integration without Connections', async () => {
    await expect(h.nango.getConnectionsForUserId('nobody')).resolves.toEqual({ success: true, returnValue: [] });
    await expect(h.nango.getConnectionsForIntegration('example')).resolves.toEqual({ success: true, returnValue: [] });
  });

  it.each([
    ['slack', { refresh_token: 'r' }, /access_token/],
    ['slack', { access_token: 'a', refresh_token: 'r' }, /expires_at or expires_in is required/],
    ['twitter', { oauth_token: 't' }, /oauth_token_secret/],
    ['example', { apiKey: 'k' }, /api_key/],
    ['basic', { username: 'u' }, /password/],
  ])('refuses %s credentials that do not fit the auth mode', async (integration, credentials, message) => {
    const error = (await h.nango
      .registerConnection(integration, '1', credentials as never)
      .catch((e: unknown) => e)) as NangoError;
    expect(error.code).toBe('invalid_credentials');
    expect(error.errorMsg).toMatch(message);
  });

  it('names unknown integrations and missing Connections', async () => {
    await expect(h.nango.registerConnection('nope', '1', { api_key: 'k' })).rejects.toMatchObject({
      code: 'unknown_integration',
      errorMsg: "Unknown integration 'nope': integrations.yaml declares slack, twitter, example, basic",
    });
    await expect(h.nango.updateConnectionConfig('example', 'ghost', {})).rejects.toMatchObject({ code: 'connection_not_found' });
    await expect(h.nango.updateConnectionCredentials('example', 'ghost', { api_key: 'k' })).rejects.toMatchObject({
      code: 'connection_not_found',
    });
  });

  it('answers a field-level validation error', async () => {
    await expect(h.nango.updateConnectionConfig('example', '', { a: 1 })).rejects.toMatchObject({
      code: 'invalid_message',
      errorMsg: expect.stringContaining('userId: must NOT have fewer than 1 characters'),
    });
    await expect(h.nango.registerConnection('example', '1', { api_key: 'k' }, [] as never)).rejects.toMatchObject({
      code: 'invalid_message',
      errorMsg: expect.stringContaining('additionalConfig: must be object'),
    });
  });

  it('keeps the Connections in the SQLite file across a worker restart', async () => {
    await h.nango.registerConnection('example', '1', { api_key: 'k' });
    await h.worker.stop();
    const again = await startHarness({ yaml: YAML, dbPath: h.dbPath, queue: h.queue });
    try {
      expect((await again.nango.getConnectionsForUserId('1')).returnValue).toHaveLength(1);
    } finally {
      await again.stop();
    }
  });
});
