import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { StoredCredentials } from '@nangohq/protocol';
import { TokenEndpointError } from '../oauth/requestToken';
import type { Provider } from '../providers/Provider';
import type { AuthModeHandler, GrantMissing, TokenGrant } from './AuthModeHandler';
import { credentialField, setCredentialHeader } from './credentialField';
import { fillClaims, fillTemplate, normalisePem, UNRESOLVED, type TemplateValues } from './jwtTemplate';

/** jose (some 80 modules) loads with the first token signed, not at every start of the server. */
const jose = () => require('jose') as typeof import('jose');

/** A token's life when the catalog entry gives none (`token.expires_in_ms`): an hour. */
export const DEFAULT_JWT_LIFE_MS = 3_600_000;

/** What signs a Connection's JWTs: the catalog entry's `token` and `signature` blocks, as Nango writes them. */
export interface JwtRecipe {
  /** `token.header`: its `alg` (HS256, RS256, ES256, …) is required; `kid`, `typ`, … are templates. */
  readonly header: Readonly<Record<string, unknown>> & { readonly alg: string };
  /** `token.payload`: claim templates; `iat` and `exp` are set at signing. */
  readonly payload: Readonly<Record<string, unknown>>;
  /** `token.signing_key`: a template, e.g. `${credentials.privateKey}`. */
  readonly signingKey: string;
  /** `token.expires_in_ms`. Default: DEFAULT_JWT_LIFE_MS. */
  readonly lifeMs: number;
  /** `signature.hmac_secret_encoding`: how an HMAC key is written. Default: hex (Ghost's). */
  readonly hmacEncoding: 'hex' | 'utf8';
}

/** Fields of a JWT Connection's credentials that the server writes: never taken from what the user gave. */
const OWN_FIELDS: ReadonlySet<string> = new Set(['type', 'token', 'expires_at', 'raw']);

/**
 * JWT: the user gives the catalog entry's `credentials` fields (a private key, an issuer id, …); the server signs a
 * JWT from them with the entry's algorithm and claim templates (jwtTemplate.ts), stores it as `token` with its
 * `expires_at`, and signs another before it expires. Signing needs no network, so the token is made at creation and
 * at every refresh; the catalog's verification request (if any) then tries it. Requests carry `Bearer <token>` unless
 * the entry's `proxy.headers` place it otherwise (Ghost's `Ghost ${accessToken}`).
 */
export const jwt: AuthModeHandler = {
  mode: 'JWT',
  requiredFields: [],
  normalise(raw, stored, problems) {
    for (const [field, value] of Object.entries(raw)) {
      if (OWN_FIELDS.has(field) || value === undefined || value === null) continue;
      if (typeof value !== 'string' && typeof value !== 'number') problems.push(`${field} must be a string`);
      else stored[field] = String(value);
    }
  },
  tokenFetch: { atCreation: true },
  grant(integration, connection): TokenGrant | GrantMissing {
    const recipe = jwtRecipeOf(integration.provider);
    if ('missing' in recipe) return { missing: `integration '${integration.name}': ${recipe.missing}` };
    const values: TemplateValues = { credentials: connection.credentials, connectionConfig: connection.additionalConfig };
    const key = fillTemplate(recipe.signingKey, values);
    if (key === UNRESOLVED) {
      return { missing: `the Connection lacks the credential its signing key is made of (${recipe.signingKey})` };
    }
    return {
      request: async () => ({ ...(await signJwt(recipe, key, values, Date.now())) }),
      credentials: (previous, response) => jwtCredentials(previous, String(response['token']), Number(response['expiresAt'])),
    };
  },
  refreshMarginMs(integration, defaultMs) {
    const recipe = jwtRecipeOf(integration.provider);
    return 'missing' in recipe ? defaultMs : Math.min(defaultMs, Math.floor(recipe.lifeMs / 5));
  },
  authorise(integration, connection, request) {
    setCredentialHeader(request.headers, 'authorization', `Bearer ${credentialField(integration, connection, 'token')}`);
  },
};

/** The recipe of a JWT integration's catalog entry, or what it lacks (naming the entry's keys). */
export function jwtRecipeOf(provider: Provider | undefined): JwtRecipe | GrantMissing {
  if (!provider) return { missing: 'a JWT integration needs a provider: whose catalog entry has a token: block' };
  const entry = provider as unknown as Record<string, unknown>;
  const token = asRecord(entry['token']);
  const header = asRecord(token?.['header']);
  const alg = header?.['alg'];
  const signingKey = token?.['signing_key'];
  if (!token || !header || typeof alg !== 'string' || typeof signingKey !== 'string') {
    return {
      missing: `provider ${provider.name}'s catalog entry has no token.header.alg and token.signing_key to sign a JWT with`,
    };
  }
  const life = token['expires_in_ms'];
  const signature = asRecord(entry['signature']);
  return {
    header: { ...header, alg },
    payload: asRecord(token['payload']) ?? {},
    signingKey,
    lifeMs: typeof life === 'number' && life > 0 ? life : DEFAULT_JWT_LIFE_MS,
    hmacEncoding: signature?.['hmac_secret_encoding'] === 'utf8' ? 'utf8' : 'hex',
  };
}

/**
 * A JWT signed at `now` (ms) with `key` (a PEM private key, or an HMAC secret for HS*), valid for the recipe's life,
 * and when it expires (ms: its `exp`).
 * @throws TokenEndpointError `rejected` when the key cannot be read or does not fit the algorithm (the user's input:
 *   the message says which, never the key)
 */
export async function signJwt(
  recipe: JwtRecipe,
  key: string,
  values: TemplateValues,
  now: number,
): Promise<{ token: string; expiresAt: number }> {
  const { alg } = recipe.header;
  try {
    // The key first: a key that cannot be read is said so, before a claim made of it (a fingerprint) fails.
    const signingKey = signingKeyOf(alg, key, recipe.hmacEncoding);
    const header = { ...fillClaims(recipe.header, values), alg };
    const iat = Math.floor(now / 1000);
    const exp = iat + Math.floor(recipe.lifeMs / 1000);
    const token = await new (jose().SignJWT)({ ...fillClaims(recipe.payload, values), iat, exp })
      .setProtectedHeader(header)
      .sign(signingKey);
    return { token, expiresAt: exp * 1000 };
  } catch (error) {
    if (error instanceof TokenEndpointError) throw error;
    const reason = error instanceof Error && 'code' in error ? String(error.code) : 'the key does not fit';
    throw new TokenEndpointError('rejected', `cannot sign a ${alg} JWT with the Connection's key (${reason})`);
  }
}

function signingKeyOf(alg: string, key: string, hmacEncoding: 'hex' | 'utf8'): KeyObject | Uint8Array {
  if (alg.startsWith('HS')) {
    if (hmacEncoding === 'utf8') return new TextEncoder().encode(key);
    if (!/^([0-9a-fA-F]{2})+$/.test(key)) {
      throw new TokenEndpointError('rejected', `the ${alg} signing secret must be hexadecimal`);
    }
    return Uint8Array.from(Buffer.from(key, 'hex'));
  }
  try {
    return createPrivateKey(normalisePem(key));
  } catch {
    throw new TokenEndpointError('rejected', `the signing key is not a PEM private key (PKCS#8, PKCS#1 or SEC 1)`);
  }
}

/** The credentials a JWT Connection stores: the user's inputs as they were, the token and when it expires. */
function jwtCredentials(previous: StoredCredentials, token: string, expiresAt: number): StoredCredentials {
  return { ...previous, token, expires_at: new Date(expiresAt).toISOString() };
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
