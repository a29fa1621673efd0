import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { credentialValue, type FieldSpec } from '../fieldValues';
import { connectQuery, refusal, storedCredentials, WalkFailure, type Recipe } from './Recipe';

/**
 * JWT: `auth(key, id, { credentials: { type: 'JWT', … } })` (frontend 0.71) is `POST /auth/jwt/:key`. Each of the
 * entry's credentials is given: the key its `token.signing_key` names made for its algorithm (an RSA or EC PEM, or an
 * HMAC secret: Ghost's `<id>:<secret>` hex), the others from their patterns. The server signs a JWT whose claims carry
 * those values; the mock reads JWTs' header and claims, so the value carried is one of them.
 */
export const jwtRecipe: Recipe = {
  integration: () => ({}),
  async connect(walk, context) {
    const entry = walk.entry as { credentials?: Record<string, FieldSpec>; token?: { header?: { alg?: string } } };
    const alg = entry.token?.header?.alg ?? 'RS256';
    const credentials: Record<string, string> = { type: 'JWT' };
    let carried: string | undefined;
    for (const [field, spec] of Object.entries(entry.credentials ?? {})) {
      if (field === 'privateKey') {
        const key = signingKey(alg, spec);
        credentials[field] = key.value;
        carried ??= key.carried;
      } else {
        credentials[field] = credentialValue(field, spec, `${walk.name}/${field}`);
        carried ??= credentials[field];
      }
    }
    if (carried !== undefined) context.mock.remember(carried);
    const posted = await context.api.call(`/auth/jwt/${encodeURIComponent(walk.name)}?${connectQuery(walk)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(credentials),
    });
    if (posted.status !== 200) throw new WalkFailure('connect', refusal(posted.status, posted.body));
    const stored = await storedCredentials(walk, context);
    if (stored['type'] !== 'JWT' || typeof stored['token'] !== 'string' || typeof stored['expires_at'] !== 'string') {
      throw new WalkFailure('stored', 'the Connection holds no signed token and expiry');
    }
    return { carried };
  },
};

/** A private key for `alg`, and, for Ghost's `<id>:<secret>`, the id its JWTs carry (`kid`). */
function signingKey(alg: string, spec: FieldSpec): { value: string; carried?: string } {
  if (alg.startsWith('HS')) {
    const id = randomBytes(12).toString('hex');
    const secret = randomBytes(32).toString('hex');
    return spec.pattern?.includes(':') ? { value: `${id}:${secret}`, carried: id } : { value: secret };
  }
  const pair = alg.startsWith('ES')
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { value: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}
