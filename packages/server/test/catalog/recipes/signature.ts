import { credentialValue, type FieldSpec } from '../fieldValues';
import { connectQuery, refusal, storedCredentials, WalkFailure, type Recipe } from './Recipe';

/**
 * SIGNATURE: `auth(key, id, { credentials: { type: 'SIGNATURE', username, password }, params })` is
 * `POST /auth/signature/:key`. The secret never travels (each request carries a WSSE digest of it): the proxied call
 * is known to be the Connection's by the user name in its UsernameToken.
 */
export const signatureRecipe: Recipe = {
  integration: () => ({}),
  async connect(walk, context) {
    const specs = (walk.entry['credentials'] as Record<string, FieldSpec> | undefined) ?? {};
    const username = credentialValue('username', specs['username'], `${walk.name}/username`);
    const password = credentialValue('password', specs['password'], `${walk.name}/password`);
    context.mock.remember(username);
    const posted = await context.api.call(`/auth/signature/${encodeURIComponent(walk.name)}?${connectQuery(walk)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'SIGNATURE', username, password }),
    });
    if (posted.status !== 200) throw new WalkFailure('connect', refusal(posted.status, posted.body));
    const credentials = await storedCredentials(walk, context);
    if (credentials['type'] !== 'SIGNATURE' || credentials['username'] !== username) {
      throw new WalkFailure('stored', 'the Connection does not hold the username that was posted');
    }
    return { carried: username };
  },
};
