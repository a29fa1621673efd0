import { wsseHeader } from '../signing/wsse';
import type { AuthModeHandler } from './AuthModeHandler';
import { credentialField } from './credentialField';
import { putToken } from './tokenHeaders';

/** A user name that cannot break out of the header's quoted field. */
const QUOTABLE = /^[^"\\\r\n]*$/;

/**
 * SIGNATURE (WSSE, Emarsys): the user's name and secret sign each request with a UsernameToken of its own, a fresh
 * nonce and creation time each time (the provider refuses a nonce it saw and a token minutes old), so no token is
 * stored: only `username` and `password`, Nango's SignatureCredentials without the optional token. The header goes
 * where the catalog entry puts `${accessToken}` (Emarsys: `x-wsse`), else Nango's default, `Authorization: Bearer`.
 * The catalog's verification request checks the pair when the Connection is made.
 */
export const signature: AuthModeHandler = {
  mode: 'SIGNATURE',
  requiredFields: ['username', 'password'],
  normalise(_raw, stored, problems) {
    if (typeof stored['username'] === 'string' && !QUOTABLE.test(stored['username'])) {
      problems.push('username may not hold a double quote, a backslash or a line break (it is quoted in the WSSE header)');
    }
  },
  authorise(integration, connection, request) {
    const username = credentialField(integration, connection, 'username');
    const token = wsseHeader(username, credentialField(integration, connection, 'password'));
    putToken(integration, request, token, (value) => ['authorization', `Bearer ${value}`]);
  },
};
