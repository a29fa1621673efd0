import { credentialValue } from '../fieldValues';
import { connectQuery, refusal, storedCredentials, WalkFailure, type Recipe } from './Recipe';

/**
 * BILL: `auth(key, id, { credentials: { username, password, organization_id, dev_key }, params })` is
 * `POST /auth/bill/:key`; the server signs in at the entry's token_url (the mock's v3 login, which answers a session
 * to a password the walk gave out), and each proxied call carries the session id.
 */
export const billRecipe: Recipe = {
  integration: () => ({}),
  async connect(walk, context) {
    const field = (name: string) => credentialValue(name, undefined, `${walk.name}/${name}`);
    const given = {
      username: field('username'),
      password: field('password'),
      organization_id: 'org-1',
      dev_key: field('dev_key'),
    };
    context.mock.remember(given.password);
    const posted = await context.api.call(`/auth/bill/${encodeURIComponent(walk.name)}?${connectQuery(walk)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(given),
    });
    if (posted.status !== 200) throw new WalkFailure('connect', refusal(posted.status, posted.body));
    const credentials = await storedCredentials(walk, context);
    const session = credentials['session_id'];
    if (credentials['type'] !== 'BILL' || typeof session !== 'string' || !context.mock.gaveOut(session)) {
      throw new WalkFailure('stored', 'the Connection does not hold the session the mock opened');
    }
    return { carried: session };
  },
};
