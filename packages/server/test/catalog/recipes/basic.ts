import { credentialValue, type FieldSpec } from '../fieldValues';
import { connectQuery, refusal, storedCredentials, WalkFailure, type Recipe } from './Recipe';

/**
 * BASIC: `auth(key, id, { credentials: { username, password }, params })` is `POST /api-auth/basic/:key`. The
 * Connect UI sends both fields, a field the entry does not declare as an empty string.
 */
export const basicRecipe: Recipe = {
  integration: () => ({}),
  async connect(walk, context) {
    const specs = (walk.entry['credentials'] as Record<string, FieldSpec> | undefined) ?? {};
    const value = (field: 'username' | 'password'): string => {
      const spec = specs[field];
      return spec === undefined && Object.keys(specs).length > 0 ? '' : credentialValue(field, spec, `${walk.name}/${field}`);
    };
    const username = value('username');
    const password = value('password');
    context.mock.remember(username);
    context.mock.remember(password);
    const posted = await context.api.call(`/api-auth/basic/${encodeURIComponent(walk.name)}?${connectQuery(walk)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (posted.status !== 200) throw new WalkFailure('connect', refusal(posted.status, posted.body));
    const credentials = await storedCredentials(walk, context);
    if (credentials['type'] !== 'BASIC' || credentials['username'] !== username || credentials['password'] !== password) {
      throw new WalkFailure('stored', 'the Connection does not hold the username and password that were posted');
    }
    return { carried: username.length >= password.length ? username : password };
  },
};
