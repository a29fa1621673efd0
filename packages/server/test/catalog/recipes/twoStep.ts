import { generateKeyPairSync } from 'node:crypto';
import { credentialValue, type FieldSpec } from '../fieldValues';
import { connectQuery, refusal, storedCredentials, WalkFailure, type Recipe, type WalkEntry } from './Recipe';

/** One RSA key for every entry that signs a JWT with a key the user gives (`token.signing_key`). */
let signingKey: string | undefined;

/**
 * TWO_STEP: `auth(key, id, { credentials: { type: 'TWO_STEP', …the entry's credential fields }, params })` (frontend
 * 0.71) is `POST /auth/two-step/:key`. The server makes the entry's token requests from those fields at once (the
 * mock answers them, mockTwoStep.ts); at least one of them must carry a value the user gave, the Connection must hold
 * the token the mock issued, and each proxied call must carry it.
 */
export const twoStepRecipe: Recipe = {
  integration: () => ({}),
  async connect(walk, context) {
    const given = credentialsOf(walk);
    for (const value of Object.values(given)) context.mock.remember(value);
    const posted = await context.api.call(`/auth/two-step/${encodeURIComponent(walk.name)}?${connectQuery(walk)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'TWO_STEP', ...given }),
    });
    if (posted.status !== 200) throw new WalkFailure('connect', refusal(posted.status, posted.body));
    const credentials = await storedCredentials(walk, context);
    const token = credentials['token'];
    if (credentials['type'] !== 'TWO_STEP' || typeof token !== 'string' || !context.mock.gaveOut(token)) {
      throw new WalkFailure('stored', 'the Connection does not hold the token the provider issued');
    }
    const signs = walk.entry['token'] !== undefined;
    const values = Object.values(given);
    const tokenRequests = context.mock.hits.filter(
      (hit) => hit.target?.owner === walk.name && (hit.target.role === 'token_url' || hit.target.role === 'refresh_url'),
    );
    if (!signs && values.length > 0 && !tokenRequests.some((hit) => hit.carried.some((value) => values.includes(value)))) {
      throw new WalkFailure('connect', 'no token request carried a credential the user gave');
    }
    return { carried: token };
  },
};

/** The entry's credential fields, as a user would type them; a key the entry signs its JWT with is a real RSA key. */
function credentialsOf(walk: WalkEntry): Record<string, string> {
  const specs = (walk.entry['credentials'] as Record<string, FieldSpec & { automated?: boolean }> | undefined) ?? {};
  const signingField = /\$\{credentials\.(\w+)\}/.exec(
    String((walk.entry['token'] as { signing_key?: unknown } | undefined)?.signing_key ?? ''),
  )?.[1];
  const values: Record<string, string> = {};
  for (const [field, spec] of Object.entries(specs)) {
    if (spec.automated === true) continue;
    values[field] = field === signingField ? rsaKey() : credentialValue(field, spec, `${walk.name}/${field}`);
  }
  return values;
}

function rsaKey(): string {
  signingKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  return signingKey;
}
