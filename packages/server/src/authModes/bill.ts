import type { StoredCredentials } from '@nangohq/protocol';
import { billLogin } from '../oauth/billLogin';
import type { AuthModeHandler, GrantMissing, TokenGrant } from './AuthModeHandler';
import { credentialField, setCredentialHeader } from './credentialField';

/** Bill ends a session unused for 35 minutes: a session is taken for dead then, and a new one made before. */
export const BILL_SESSION_MS = 35 * 60 * 1000;

/** What the user gives, kept to sign in again: Nango's BillCredentials fields. */
const USER_FIELDS = ['username', 'password', 'organization_id', 'dev_key'] as const;

/**
 * BILL (Bill's Connect API): the user's sign-in, organization id and developer key make a session at the catalog's
 * `token_url` (v3 login); every request carries it as the `sessionId` header with the `devKey` header. A session is
 * made when the Connection is (a wrong sign-in stores nothing) and again before 35 minutes have passed, Bill's limit.
 * Stored in Nango's shape: the four fields given, `session_id`, `user_id`, `expires_at`.
 */
export const bill: AuthModeHandler = {
  mode: 'BILL',
  requiredFields: USER_FIELDS,
  tokenFetch: { atCreation: true },
  grant(integration, connection, timeoutMs): TokenGrant | GrantMissing {
    const catalog = integration.provider?.token_url;
    const loginUrl = integration.oauth?.tokenUrl ?? (typeof catalog === 'string' ? catalog : undefined);
    if (!loginUrl) {
      return {
        missing: `integration '${integration.name}' has no login URL: set integrations.${integration.name}.oauth.token_url (Bill's …/connect/v3/login)`,
      };
    }
    const field = (name: string) => credentialField(integration, connection, name);
    let request: Parameters<typeof billLogin>[0];
    try {
      request = {
        loginUrl,
        username: field('username'),
        password: field('password'),
        organizationId: field('organization_id'),
        devKey: field('dev_key'),
        timeoutMs,
      };
    } catch (error) {
      return { missing: (error as Error).message }; // names the field, never a value
    }
    return { request: () => billLogin(request), credentials: sessionCredentials };
  },
  authorise(integration, connection, request) {
    setCredentialHeader(request.headers, 'sessionId', credentialField(integration, connection, 'session_id'));
    setCredentialHeader(request.headers, 'devKey', credentialField(integration, connection, 'dev_key'));
  },
};

/** The user's fields as they were, and the new session (Bill's answer as `raw`). */
function sessionCredentials(previous: StoredCredentials, response: Record<string, unknown>, now: number): StoredCredentials {
  const next: StoredCredentials = { raw: response };
  for (const field of USER_FIELDS) next[field] = previous[field];
  next['session_id'] = response['sessionId'];
  if (typeof response['userId'] === 'string') next['user_id'] = response['userId'];
  next['expires_at'] = new Date(now + BILL_SESSION_MS).toISOString();
  return next;
}
