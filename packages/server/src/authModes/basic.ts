import type { AuthModeHandler } from './AuthModeHandler';
import { credentialField, setCredentialHeader } from './credentialField';

/**
 * USERNAME_PASSWORD (the catalog's BASIC): HTTP Basic authentication. The password may be empty: several APIs take an
 * API key as the user name and no password (Greenhouse's Harvest API, Stripe's secret key as Basic).
 */
export const basic: AuthModeHandler = {
  mode: 'USERNAME_PASSWORD',
  requiredFields: ['username'],
  normalise(raw, stored, problems) {
    const password = raw['password'];
    if (typeof password !== 'string') problems.push('password (a string, empty where the API takes none) is required');
    else stored['password'] = password;
  },
  authorise(integration, connection, request) {
    const user = credentialField(integration, connection, 'username');
    const stored = connection.credentials['password'];
    const password = typeof stored === 'string' ? stored : credentialField(integration, connection, 'password');
    setCredentialHeader(
      request.headers,
      'authorization',
      `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`,
    );
  },
};
