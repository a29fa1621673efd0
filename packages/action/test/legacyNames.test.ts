import type { NangoConnection } from '@nangohq/protocol';
import { withCredentialAliases } from '../src/withCredentialAliases';
import { withWinstonMethods, type ActionLogger } from '../src/withWinstonMethods';

function connection(credentials: Record<string, unknown>): NangoConnection {
  return {
    uuid: 'u',
    integration: 'slack',
    userId: '1',
    dateCreated: '2024-01-01T00:00:00.000Z',
    lastModified: '2024-01-01T00:00:00.000Z',
    additionalConfig: {},
    authorization: 'ok',
    credentials: { ...credentials, raw: { ...credentials } },
  };
}

describe('the credentials under their 2022 names', () => {
  it('OAUTH2: type, accessToken, refreshToken and expiresAt as a Date, none of them in JSON', () => {
    const view = withCredentialAliases(
      connection({ access_token: 'a', refresh_token: 'r', expires_at: '2030-01-01T00:00:00.000Z' }),
    );
    expect(view.credentials).toMatchObject({ type: 'OAUTH2', accessToken: 'a', refreshToken: 'r' });
    expect(view.credentials.expiresAt).toEqual(new Date('2030-01-01T00:00:00.000Z'));
    expect(Object.keys(view.credentials).sort()).toEqual(['access_token', 'expires_at', 'raw', 'refresh_token']);
    expect(JSON.parse(JSON.stringify(view))).toEqual(JSON.parse(JSON.stringify(connection(view.credentials.raw))));
  });

  it.each([
    [
      { oauth_token: 't', oauth_token_secret: 's' },
      { type: 'OAUTH1', oAuthToken: 't', oAuthTokenSecret: 's' },
    ],
    [{ api_key: 'k' }, { type: 'API_KEY', apiKey: 'k' }],
    [
      { username: 'u', password: 'p' },
      { type: 'USERNAME_PASSWORD', username: 'u', password: 'p' },
    ],
  ])('%j', (credentials, expected) => {
    expect(withCredentialAliases(connection(credentials)).credentials).toMatchObject(expected);
  });

  it('works on a copy when the credentials are frozen, leaving them as they were', () => {
    const frozen = connection({ access_token: 'a' });
    Object.freeze(frozen.credentials);
    const view = withCredentialAliases(frozen);
    expect(view.credentials.accessToken).toBe('a');
    expect((frozen.credentials as Record<string, unknown>)['accessToken']).toBeUndefined();
  });
});

describe("winston's methods on the action logger", () => {
  const lines: [string, string, unknown][] = [];
  const base = Object.fromEntries(
    (['debug', 'info', 'warn', 'error'] as const).map((level) => [
      level,
      (message: string, fields?: unknown) => lines.push([level, message, fields]),
    ]),
  ) as unknown as ActionLogger;
  const logger = withWinstonMethods(base);

  beforeEach(() => {
    lines.length = 0;
  });

  it('maps every level, and log() in both forms', () => {
    logger.http('h');
    logger.verbose('v');
    logger.silly('s');
    logger.log('error', 'e', { a: 1 });
    logger.log({ level: 'warn', message: 'w', b: 2 });
    logger.log('nonsense', 'n');
    expect(lines).toEqual([
      ['debug', 'h', undefined],
      ['debug', 'v', undefined],
      ['debug', 's', undefined],
      ['error', 'e', { a: 1 }],
      ['warn', 'w', { b: 2 }],
      ['info', 'n', undefined],
    ]);
  });

  it('takes an Error as the message or the meta, and meta that is not an object', () => {
    const error = new Error('boom');
    logger.error(error);
    logger.warn('failed', error);
    logger.info('count', 3);
    expect(lines).toEqual([
      ['error', 'boom', { err: error }],
      ['warn', 'failed', { err: error }],
      ['info', 'count', { meta: 3 }],
    ]);
  });
});
