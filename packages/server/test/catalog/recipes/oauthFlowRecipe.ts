import { playFlow } from '../../helpers/oauthFlow';
import { clientIdOf, clientSecretOf } from '../catalogEntries';
import { connectQuery, storedCredentials, WalkFailure, type Recipe } from './Recipe';

/**
 * OAUTH2 and OAUTH1: the integration gets an OAuth client the mock knows; `auth(key, id, { params })` opens
 * `/oauth/connect/:key`, which the walk follows as a browser would (to the mock's authorization URL, which consents at
 * once and sends the user back to /oauth/callback) until the callback page, then reads the result the page posts.
 * @param tokenField the credential that holds the token the mock issued
 */
export function oauthFlowRecipe(type: 'OAUTH2' | 'OAUTH1', tokenField: 'access_token' | 'oauth_token'): Recipe {
  return {
    integration: (walk) => ({
      oauth: { client_id: clientIdOf(walk.name), client_secret: clientSecretOf(clientIdOf(walk.name)) },
    }),
    async connect(walk, context) {
      let end: Awaited<ReturnType<typeof playFlow>>;
      try {
        end = await playFlow(`${context.api.url}/oauth/connect/${encodeURIComponent(walk.name)}?${connectQuery(walk)}`);
      } catch (error) {
        throw new WalkFailure('connect', `the flow did not come back to a callback page: ${oneLine((error as Error).message)}`);
      }
      const failed = end.message.data.error;
      if (end.message.eventType !== 'AUTHORIZATION_SUCEEDED' || failed) {
        throw new WalkFailure('connect', `${failed?.type ?? end.message.eventType}: ${failed?.message ?? ''}`);
      }
      const credentials = await storedCredentials(walk, context);
      const token = credentials[tokenField];
      if (credentials['type'] !== type || typeof token !== 'string' || !context.mock.gaveOut(token)) {
        throw new WalkFailure('stored', `the Connection does not hold the ${tokenField} the mock issued`);
      }
      return { carried: token };
    },
  };
}

/** The first 300 characters of a message, on one line. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').slice(0, 300);
}
