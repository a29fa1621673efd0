import { randomUUID } from 'node:crypto';
import type { StoredCredentials } from '@nangohq/protocol';
import { namesOf, type CatalogTemplate } from '../config/catalogTemplate';
import type { TwoStepSettings } from '../config/compileTwoStep';
import { WorkerError } from '../errors';
import { TokenEndpointError } from '../oauth/requestToken';
import type { AuthModeHandler, GrantMissing, TokenGrant } from './AuthModeHandler';
import { credentialField, setCredentialHeader } from './credentialField';
import { render, runTwoStep, scopeOf, type TwoStepAnswer } from './twoStepRequest';

/** What a TWO_STEP Connection stores beside the user's own fields (Nango's TwoStepCredentials). */
const FETCHED = ['token', 'refresh_token', 'expires_at', 'raw', 'type'] as const;

/**
 * TWO_STEP: the user gives the fields the catalog entry asks for (a username and password, a client id and secret, an
 * app id and key, …); the server makes the entry's token request from them (its templates: config/compileTwoStep),
 * reads the token and its expiry where the entry says, and fetches it again before it expires. Requests carry it as
 * `Authorization: Bearer <token>`, or as the entry's `proxy.headers` say (`x-auth-token: ${accessToken}`, …).
 * Stored as Nango's TwoStepCredentials: the user's fields, `token`, `refresh_token`, `expires_at`, and `raw`, the
 * provider's answer.
 */
export const twoStep: AuthModeHandler = {
  mode: 'TWO_STEP',
  // Which fields are needed is the catalog entry's to say: a missing one is named when the token request is made.
  requiredFields: [],
  normalise(raw, stored, problems) {
    for (const [field, value] of Object.entries(raw)) {
      if ((FETCHED as readonly string[]).includes(field)) continue;
      if (typeof value === 'string') stored[field] = value;
      else if (value !== undefined && value !== null) problems.push(`${field} must be a string`);
    }
  },
  tokenFetch: { atCreation: true },
  grant(integration, connection, timeoutMs): TokenGrant | GrantMissing {
    const settings = integration.twoStep;
    if (!settings) return { missing: `integration '${integration.name}' has no two-step settings (provider: a TWO_STEP entry)` };
    return {
      request: async () => {
        const answer = await runTwoStep(settings, connection, { timeoutMs, refresh: true });
        tokenOf(settings, answer); // an answer without a token is the provider's refusal, classified as one
        return { answer };
      },
      credentials: (previous, response, now) => storedCredentials(settings, previous, response['answer'] as TwoStepAnswer, now),
    };
  },
  refreshMarginMs(integration, defaultMs) {
    const settings = integration.twoStep;
    if (settings?.bufferMs !== undefined) return settings.bufferMs;
    // A fifth of a short token's life: a 15-minute token is fetched again 3 minutes before it expires, not at every use.
    return settings?.lifetimeMs === undefined ? defaultMs : Math.min(defaultMs, Math.floor(settings.lifetimeMs / 5));
  },
  authorise(integration, connection, request) {
    const token = credentialField(integration, connection, 'token');
    const headers = integration.twoStep?.proxyHeaders ?? [];
    if (!headers.some(([name, template]) => name.toLowerCase() === 'authorization' || carriesToken(template))) {
      setCredentialHeader(request.headers, 'authorization', `Bearer ${token}`);
    }
    if (headers.length === 0) return;
    const scope = scopeOf(connection, {
      random: randomUUID(),
      now: new Date(),
      answers: [],
      jwt: undefined,
      endpoint: request.url.pathname,
    });
    for (const [name, template] of headers) {
      let value: string;
      try {
        value = render(template, scope, `proxy.headers.${name}`);
      } catch (error) {
        if (!(error instanceof TokenEndpointError)) throw error;
        throw new WorkerError('http_request_invalid', `integration ${integration.name} (TWO_STEP): ${error.message}`);
      }
      setCredentialHeader(request.headers, name, value);
    }
  },
};

/**
 * The credentials to store from the last answer: the user's fields as before, the token at the entry's path, its
 * expiry (from the answer, else the entry's `token_expires_in_ms`), the refresh token when the entry names one.
 * @throws TokenEndpointError `refused` when the answer holds no token where the entry says
 */
export function storedCredentials(
  settings: TwoStepSettings,
  previous: StoredCredentials,
  answer: TwoStepAnswer,
  now: number,
): StoredCredentials {
  const token = tokenOf(settings, answer);
  const raw = typeof answer === 'string' ? { token: answer } : answer;
  const stored: StoredCredentials = { raw };
  for (const [field, value] of Object.entries(previous)) {
    if (!(FETCHED as readonly string[]).includes(field)) stored[field] = value;
  }
  stored['token'] = token;
  const refreshToken = settings.refreshTokenPath === undefined ? undefined : at(answer, settings.refreshTokenPath);
  if (typeof refreshToken === 'string' && refreshToken !== '') stored['refresh_token'] = refreshToken;
  const expiresAt = expiryOf(settings, answer, now);
  if (expiresAt !== undefined) stored['expires_at'] = new Date(expiresAt).toISOString();
  return stored;
}

/**
 * The token in the last answer, where the entry says.
 * @throws TokenEndpointError `refused` when it is not there
 */
function tokenOf(settings: TwoStepSettings, answer: TwoStepAnswer): string {
  const token = settings.tokenPath === '' ? answer : at(answer, settings.tokenPath);
  if (typeof token === 'string' && token !== '') return token;
  const where = settings.tokenPath === '' ? 'as its body' : `at ${settings.tokenPath}`;
  throw new TokenEndpointError('refused', `the answer has no token ${where}`);
}

/** Whether a proxy header puts the token on itself (`${accessToken}`, or the stored `${credentials.token}`). */
function carriesToken(template: CatalogTemplate): boolean {
  return namesOf(template).some((name) => name === 'accessToken' || name === 'credentials.token');
}

/** When the token expires, in ms since the epoch: the answer's field, else the entry's default life, else never. */
function expiryOf(settings: TwoStepSettings, answer: TwoStepAnswer, now: number): number | undefined {
  const { expiration } = settings;
  const value = expiration === undefined ? undefined : at(answer, expiration.path);
  const number =
    typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : undefined;
  if (expiration?.strategy === 'expireIn' && number !== undefined) return now + number * 1000;
  if (expiration?.strategy === 'expireAt') {
    // Unix time in seconds or in milliseconds (a date after 2001 is more than 1e12 ms), or a date string.
    if (number !== undefined) return number > 1e12 ? number : number * 1000;
    const parsed = typeof value === 'string' ? Date.parse(value) : NaN;
    if (!Number.isNaN(parsed)) return parsed;
  }
  return settings.lifetimeMs === undefined ? undefined : now + settings.lifetimeMs;
}

/** The value at a dotted path of an answer. */
function at(answer: TwoStepAnswer, path: string): unknown {
  let current: unknown = answer;
  for (const key of path.split('.')) {
    current =
      typeof current === 'object' && current !== null && Object.hasOwn(current, key)
        ? (current as Record<string, unknown>)[key]
        : undefined;
  }
  return current;
}
