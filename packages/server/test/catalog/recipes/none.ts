import { connectQuery, refusal, storedCredentials, WalkFailure, type Recipe } from './Recipe';

/**
 * NONE: `create(key, connectionId, params)` (frontend 0.71) is `POST /auth/unauthenticated/:key` with no body. The
 * Connection holds no credential, so the proxied call carries none to look for, and the mock's API answers it without.
 */
export const noneRecipe: Recipe = {
  integration: () => ({}),
  async connect(walk, context) {
    context.mock.open(walk.name);
    const posted = await context.api.call(`/auth/unauthenticated/${encodeURIComponent(walk.name)}?${connectQuery(walk)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    if (posted.status !== 200) throw new WalkFailure('connect', refusal(posted.status, posted.body));
    const credentials = await storedCredentials(walk, context);
    if (credentials['type'] !== 'NONE')
      throw new WalkFailure('stored', `the Connection's credentials are of type ${String(credentials['type'])}, not NONE`);
    return { carried: undefined };
  },
};
