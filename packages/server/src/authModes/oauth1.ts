import { WorkerError } from '../errors';
import { oauth1AuthorizationHeader } from '../signing/oauth1';
import type { AuthModeHandler, OutgoingRequest } from './AuthModeHandler';
import { credentialField, setCredentialHeader } from './credentialField';

/**
 * OAUTH1 (1.0a): every request signed with the integration's consumer key and secret and the user's token and
 * token secret. OAuth 1 signs the request's own method, URL and form body, so every redirect hop is signed afresh.
 */
export const oauth1: AuthModeHandler = {
  mode: 'OAUTH1',
  requiredFields: ['oauth_token', 'oauth_token_secret'],
  issuedByProvider: true,
  authorise(integration, connection, request) {
    const { clientId, clientSecret } = integration.oauth ?? {};
    if (!clientId || !clientSecret) {
      throw new WorkerError(
        'http_request_invalid',
        `integrations.${integration.name}.oauth needs a client_id and client_secret to sign OAUTH1 requests`,
      );
    }
    const header = oauth1AuthorizationHeader({
      method: request.method,
      url: request.url.href,
      bodyParams: signedFormParams(request),
      consumerKey: clientId,
      consumerSecret: clientSecret,
      token: credentialField(integration, connection, 'oauth_token'),
      tokenSecret: credentialField(integration, connection, 'oauth_token_secret'),
    });
    setCredentialHeader(request.headers, 'authorization', header);
  },
};

/** The body's parameters when it is form-encoded: RFC 5849 section 3.4.1.3.1 signs those, and no other body. */
export function signedFormParams(request: OutgoingRequest): URLSearchParams | undefined {
  const isForm = /^application\/x-www-form-urlencoded\b/i.test(request.headers.get('content-type') ?? '');
  return isForm && typeof request.body === 'string' ? new URLSearchParams(request.body) : undefined;
}
