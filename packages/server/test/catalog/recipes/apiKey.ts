import { credentialValue, type FieldSpec } from '../fieldValues';
import { connectQuery, refusal, storedCredentials, WalkFailure, type Recipe } from './Recipe';

/** API_KEY: `auth(key, id, { credentials: { apiKey }, params })` is `POST /api-auth/api-key/:key` with `{ apiKey }`. */
export const apiKeyRecipe: Recipe = {
  integration: () => ({}),
  async connect(walk, context) {
    const spec = (walk.entry['credentials'] as Record<string, FieldSpec> | undefined)?.['apiKey'];
    const apiKey = credentialValue('apiKey', spec, `${walk.name}/apiKey`);
    context.mock.remember(apiKey);
    const posted = await context.api.call(`/api-auth/api-key/${encodeURIComponent(walk.name)}?${connectQuery(walk)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiKey }),
    });
    if (posted.status !== 200) throw new WalkFailure('connect', refusal(posted.status, posted.body));
    const credentials = await storedCredentials(walk, context);
    if (credentials['type'] !== 'API_KEY' || credentials['apiKey'] !== apiKey) {
      throw new WalkFailure('stored', 'the Connection does not hold the API key that was posted');
    }
    return { carried: apiKey };
  },
};
