import { clientIdOf, clientSecretOf } from '../catalogEntries';
import { connectQuery, refusal, storedCredentials, WalkFailure, type Recipe } from './Recipe';

/**
 * TBA: the integration holds the consumer key and secret; `auth(key, id, { credentials: { token_id, token_secret },
 * params })` (frontend 0.71) is `POST /auth/tba/:key`. Each proxied call is OAuth 1 signed with the token id in it.
 */
export const tbaRecipe: Recipe = {
  integration: (walk) => ({ oauth: { client_id: clientIdOf(walk.name), client_secret: clientSecretOf(clientIdOf(walk.name)) } }),
  async connect(walk, context) {
    const tokenId = `tba-token-${walk.name}`;
    const tokenSecret = `tba-secret-${walk.name}`;
    context.mock.remember(tokenId);
    context.mock.remember(tokenSecret);
    const posted = await context.api.call(`/auth/tba/${encodeURIComponent(walk.name)}?${connectQuery(walk)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token_id: tokenId, token_secret: tokenSecret }),
    });
    if (posted.status !== 200) throw new WalkFailure('connect', refusal(posted.status, posted.body));
    const credentials = await storedCredentials(walk, context);
    if (credentials['type'] !== 'TBA' || credentials['token_id'] !== tokenId) {
      throw new WalkFailure('stored', 'the Connection does not hold the token id that was posted');
    }
    return { carried: tokenId };
  },
};
