import { WorkerError } from '../errors';
import type { AuthModeHandler } from './AuthModeHandler';
import { credentialField, setCredentialHeader } from './credentialField';

/**
 * USERNAME_PASSWORD (the catalog's BASIC): HTTP Basic authentication. One of the two may be empty: an API key as the
 * username and no password (Chargebee, Ashby, Gong…), or as the password with an empty username (Affinity), as
 * Nango's catalog declares such a field with an empty default. So each must be a string, one of them not empty.
 */
export const basic: AuthModeHandler = {
  mode: 'USERNAME_PASSWORD',
  requiredFields: [],
  normalise(raw, stored, problems) {
    const { username, password } = raw;
    const notText = (['username', 'password'] as const).filter((field) => typeof raw[field] !== 'string');
    if (notText.length > 0 || (username === '' && password === '')) {
      const named = notText.length > 0 ? notText.join(' and ') : 'username and password';
      problems.push(`${named} must be strings, at least one of them not empty`);
      return;
    }
    stored['username'] = username;
    stored['password'] = password;
  },
  authorise(integration, connection, request) {
    const username = credentialField(integration, connection, 'username', { mayBeEmpty: true });
    const password = credentialField(integration, connection, 'password', { mayBeEmpty: true });
    if (username === '' && password === '') {
      throw new WorkerError(
        'http_request_invalid',
        `integration ${integration.name} (USERNAME_PASSWORD): this connection has an empty username and password`,
      );
    }
    const pair = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
    setCredentialHeader(request.headers, 'authorization', `Basic ${pair}`);
  },
};
