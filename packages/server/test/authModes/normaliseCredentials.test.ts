import { normaliseCredentials } from '../../src/authModes/normaliseCredentials';

const now = new Date('2026-01-01T00:00:00.000Z');

describe('normaliseCredentials', () => {
  it('accepts each auth mode with its fields and keeps what was sent as raw', () => {
    expect(normaliseCredentials('x', 'OAUTH2', { access_token: 'a' }, now)).toEqual({
      access_token: 'a',
      raw: { access_token: 'a' },
    });
    expect(normaliseCredentials('x', 'OAUTH1', { oauth_token: 't', oauth_token_secret: 's' }, now)).toMatchObject({
      oauth_token: 't',
    });
    expect(normaliseCredentials('x', 'API_KEY', { api_key: 'k', extra: 1 }, now)).toEqual({
      api_key: 'k',
      raw: { api_key: 'k', extra: 1 },
    });
    expect(normaliseCredentials('x', 'USERNAME_PASSWORD', { username: 'u', password: 'p' }, now)).toMatchObject({
      username: 'u',
    });
  });

  it('takes basic credentials with one of the two empty (an API key as the username, or as the password)', () => {
    expect(normaliseCredentials('x', 'USERNAME_PASSWORD', { username: 'key', password: '' }, now)).toEqual({
      username: 'key',
      password: '',
      raw: { username: 'key', password: '' },
    });
    expect(normaliseCredentials('x', 'USERNAME_PASSWORD', { username: '', password: 'key' }, now)).toMatchObject({
      username: '',
      password: 'key',
    });
  });

  it('computes expires_at from expires_in and normalises given dates', () => {
    expect(normaliseCredentials('x', 'OAUTH2', { access_token: 'a', refresh_token: 'r', expires_in: 3600 }, now)).toMatchObject({
      expires_at: '2026-01-01T01:00:00.000Z',
      refresh_token: 'r',
    });
    expect(normaliseCredentials('x', 'OAUTH2', { access_token: 'a', expires_at: Date.UTC(2030, 0, 1) }, now)['expires_at']).toBe(
      '2030-01-01T00:00:00.000Z',
    );
  });

  it.each([
    ['OAUTH2', { refresh_token: 'r' }, /access_token .* is required; expires_at or expires_in is required/],
    ['OAUTH2', { access_token: 'a', expires_at: 'not a date' }, /expires_at must be a date/],
    ['OAUTH2', { access_token: 'a', expires_in: -5 }, /expires_in must be a positive number/],
    ['OAUTH2', { access_token: 'a', expires_in: 1e300 }, /expires_in must be a positive number/],
    ['OAUTH1', { oauth_token: 't' }, /oauth_token_secret/],
    ['API_KEY', { key: 'k' }, /api_key \(a non-empty string\) is required/],
    ['USERNAME_PASSWORD', { username: 'u', password: 5 }, /password must be strings/],
    ['USERNAME_PASSWORD', { username: 'u' }, /password must be strings/],
    [
      'USERNAME_PASSWORD',
      { username: '', password: '' },
      /username and password must be strings, at least one of them not empty/,
    ],
  ] as const)('refuses bad %s credentials, naming fields and never values', (mode, raw, message) => {
    const attempt = () => normaliseCredentials('acme', mode, raw as Record<string, unknown>, now);
    expect(attempt).toThrow(expect.objectContaining({ code: 'invalid_credentials' }));
    expect(attempt).toThrow(message);
    expect(attempt).toThrow(new RegExp(`acme \\(${mode}\\)`));
    let text = '';
    try {
      attempt();
    } catch (error) {
      text = (error as Error).message;
    }
    for (const value of Object.values(raw)) if (typeof value === 'string' && value.length > 1) expect(text).not.toContain(value);
  });
});
