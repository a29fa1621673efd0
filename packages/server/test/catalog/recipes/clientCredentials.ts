import { generateKeyPairSync } from 'node:crypto';
import { clientIdOf, clientSecretOf } from '../catalogEntries';
import { connectQuery, refusal, storedCredentials, WalkFailure, type Recipe } from './Recipe';

/**
 * OAUTH2_CC: `auth(key, id, { credentials: { client_id, client_secret }, params })` (frontend 0.71; the Connect UI asks
 * the two for every such entry) is `POST /oauth2/auth/:key`; an entry that authenticates its client with
 * private_key_jwt gets `client_private_key` instead, a JWK whose public half the mock checks the assertion with. The
 * token is fetched at once from the mock, which checks the client where the entry says; the proxied call carries it.
 */
export const clientCredentialsRecipe: Recipe = {
  integration: () => ({}),
  async connect(walk, context) {
    const clientId = clientIdOf(walk.name);
    const body: Record<string, string> = { client_id: clientId };
    if (walk.entry['token_request_auth_method'] === 'private_key_jwt') {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      context.mock.oauth2.assertionKeys.set(clientId, publicKey);
      body['client_private_key'] = JSON.stringify(privateKey.export({ format: 'jwk' }));
    } else body['client_secret'] = clientSecretOf(clientId);
    const posted = await context.api.call(`/oauth2/auth/${encodeURIComponent(walk.name)}?${connectQuery(walk)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (posted.status !== 200) throw new WalkFailure('connect', refusal(posted.status, posted.body));
    const credentials = await storedCredentials(walk, context);
    const token = credentials['token'];
    if (credentials['type'] !== 'OAUTH2_CC' || typeof token !== 'string' || !context.mock.gaveOut(token)) {
      throw new WalkFailure('stored', 'the Connection does not hold the token the mock issued');
    }
    return { carried: token };
  },
};
