import type { AuthModeHandler } from './AuthModeHandler';
import { credentialField, setCredentialHeader } from './credentialField';

/** USERNAME_PASSWORD (the catalog's BASIC): HTTP Basic authentication. */
export const basic: AuthModeHandler = {
  mode: 'USERNAME_PASSWORD',
  requiredFields: ['username', 'password'],
  authorise(integration, connection, request) {
    const user = credentialField(integration, connection, 'username');
    const password = credentialField(integration, connection, 'password');
    setCredentialHeader(
      request.headers,
      'authorization',
      `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`,
    );
  },
};
