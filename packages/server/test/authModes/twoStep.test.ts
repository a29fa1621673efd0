import { connectFormOf } from '../../src/api/routes/connect/connectForm';
import { checkCatalogTemplates, compileTwoStep, type TwoStepSettings } from '../../src/config/compileTwoStep';
import { ConfigError } from '../../src/ConfigError';
import { storedCredentials, twoStep } from '../../src/authModes/twoStep';
import { TokenEndpointError } from '../../src/oauth/requestToken';
import type { Provider } from '../../src/providers/Provider';
import type { IntegrationConfig } from '../../src/config/types';
import { catalogOf } from '../helpers/apiHarness';

const NOW = Date.parse('2026-01-01T00:00:00Z');

function entry(fields: Record<string, unknown>): Provider {
  return {
    name: 'entry',
    auth_mode: 'TWO_STEP',
    token_url: 'https://api.example.com/login',
    token_response: { token: 'token' },
    ...fields,
  } as unknown as Provider;
}

function settingsOf(fields: Record<string, unknown>): TwoStepSettings {
  const { settings, problems } = compileTwoStep(entry(fields));
  expect(problems).toEqual([]);
  return settings as TwoStepSettings;
}

describe('TWO_STEP: what is stored from the answer', () => {
  const previous = { username: 'ann', password: 'pw', token: 'old', expires_at: 'x', raw: { old: true } };

  it('keeps the user fields, replaces token, expiry and raw', () => {
    const settings = settingsOf({
      token_response: { token: 'data.t', token_expiration: 'data.in', token_expiration_strategy: 'expireIn' },
    });
    const answer = { data: { t: 'new-token', in: 120 } };
    expect(storedCredentials(settings, previous, answer, NOW)).toEqual({
      username: 'ann',
      password: 'pw',
      token: 'new-token',
      expires_at: '2026-01-01T00:02:00.000Z',
      raw: answer,
    });
  });

  it.each([
    ['seconds since the epoch', 1767229200, '2026-01-01T01:00:00.000Z'],
    ['milliseconds since the epoch', 1767229200000, '2026-01-01T01:00:00.000Z'],
    ['a date string', '2026-01-01T01:00:00Z', '2026-01-01T01:00:00.000Z'],
  ])('reads an expireAt expiry given as %s', (_what, value, expected) => {
    const settings = settingsOf({
      token_response: { token: 'token', token_expiration: 'at', token_expiration_strategy: 'expireAt' },
    });
    expect(storedCredentials(settings, { raw: {} }, { token: 't', at: value }, NOW)['expires_at']).toBe(expected);
  });

  it('falls back to token_expires_in_ms, and stores no expiry when there is neither', () => {
    expect(storedCredentials(settingsOf({ token_expires_in_ms: 60_000 }), { raw: {} }, { token: 't' }, NOW)['expires_at']).toBe(
      '2026-01-01T00:01:00.000Z',
    );
    expect(storedCredentials(settingsOf({}), { raw: {} }, { token: 't' }, NOW)).not.toHaveProperty('expires_at');
  });

  it("takes a body that is the token when token_response.token is ''", () => {
    const stored = storedCredentials(settingsOf({ token_response: { token: '' } }), { raw: {} }, 'plain-token', NOW);
    expect(stored).toMatchObject({ token: 'plain-token', raw: { token: 'plain-token' } });
  });

  it('stores the refresh token where the entry names one', () => {
    const settings = settingsOf({ token_response: { token: 'a', refresh_token: 'r' } });
    expect(storedCredentials(settings, { raw: {} }, { a: 't', r: 'refresh' }, NOW)['refresh_token']).toBe('refresh');
  });

  it('refuses an answer without a token where the entry says, naming the path', () => {
    const settings = settingsOf({ token_response: { token: 'data.token' } });
    expect(() => storedCredentials(settings, { raw: {} }, { data: {} }, NOW)).toThrow(
      new TokenEndpointError('refused', 'the answer has no token at data.token'),
    );
  });
});

describe('TWO_STEP: compiling a catalog entry', () => {
  it('says what it does not run, by field', () => {
    const { settings, problems } = compileTwoStep(
      entry({ body_format: 'xml', assertion: { type: 'jwt' }, token_response_headers: ['set-cookie'] }),
    );
    expect(settings).toBeUndefined();
    expect(problems.map((problem) => problem.message)).toEqual([
      'assertion: a client assertion signed for each request is not run',
      'token_response_headers: cookies of the answer are not kept',
      'body_format: xml bodies are not sent',
    ]);
  });

  it('refuses a name no two-step request has', () => {
    const { problems } = compileTwoStep(entry({ token_params: { a: '${credential.user}', b: '${step0.x}' } }));
    expect(problems).toEqual([
      { kind: 'template', message: 'token_params.a: ${credential.user} is not a value a two-step request has' },
      { kind: 'template', message: 'token_params.b: ${step0.x} is not a value a two-step request has' },
    ]);
  });

  it('refuses, when the catalog is loaded, an entry whose template cannot be read, naming entry and field', () => {
    const broken = entry({ token_headers: { 'x-sig': '${hmacSha1Hex(${credentials.secret})}' } });
    expect(() => checkCatalogTemplates(catalogOf(broken))).toThrow(ConfigError);
    expect(() => checkCatalogTemplates(catalogOf(broken))).toThrow(
      'entry.token_headers.x-sig: at character 0: unknown function hmacSha1Hex()',
    );
    const unsupported = entry({ body_format: 'xml' });
    expect(checkCatalogTemplates(catalogOf(unsupported)).get('entry')).toBe(unsupported);
  });

  it("narrows the refresh margin to token_expiration_buffer, or a fifth of a short token's life", () => {
    const margin = (fields: Record<string, unknown>) =>
      twoStep.refreshMarginMs?.({ twoStep: settingsOf(fields) } as unknown as IntegrationConfig, 900_000);
    expect(margin({ token_expiration_buffer: 60 })).toBe(60_000);
    expect(margin({ token_expires_in_ms: 900_000 })).toBe(180_000);
    expect(margin({ token_expires_in_ms: 432_000_000 })).toBe(900_000);
    expect(margin({})).toBe(900_000);
  });
});

describe('TWO_STEP: the Connect page form', () => {
  it("asks the fields the entry's credentials describe, secrets as secrets", () => {
    const provider = entry({
      credentials: {
        username: { type: 'string', title: 'User' },
        password: { type: 'string', title: 'Password', secret: true },
        assertion: { type: 'string', automated: true },
      },
    });
    const form = connectFormOf(provider, 'TWO_STEP', new Set());
    expect(form.credentials.map(({ name, title, secret }) => ({ name, title, secret }))).toEqual([
      { name: 'username', title: 'User', secret: false },
      { name: 'password', title: 'Password', secret: true },
    ]);
  });
});
