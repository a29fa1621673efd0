import type { NangoConnection } from '@nangohq/protocol';
import type { IntegrationConfig } from '../config/types';
import { invalid } from './httpErrors';
import { setHeader } from './mergeHeaders';
import { oauth1AuthorizationHeader } from './oauth1';
import type { Hop } from './sendFollowingRedirects';

/**
 * The headers of one hop, credentials added for the auth mode unless the call set Authorization itself.
 * OAuth 1 signs the hop's own method, URL and form body, so every redirect hop is signed afresh.
 *
 * @throws WorkerError `http_request_invalid` when the Connection lacks a credential the auth mode needs, a
 *   credential is not a valid header value, or an OAUTH1 integration has no consumer key or secret
 */
export function authorise(integration: IntegrationConfig, connection: NangoConnection, merged: Headers, hop: Hop): Headers {
  const headers = new Headers(merged);
  if (headers.has('authorization')) return headers;
  const credential = (field: string): string => readCredential(integration, connection, field);
  switch (integration.authMode) {
    case 'OAUTH2':
      setHeader(headers, 'authorization', `Bearer ${credential('access_token')}`);
      break;
    case 'USERNAME_PASSWORD': {
      // One of the two may be empty (an API key as the username and no password): normaliseCredentials allows it.
      const username = readCredential(integration, connection, 'username', true);
      const password = readCredential(integration, connection, 'password', true);
      if (username === '' && password === '') {
        throw invalid(`integration ${integration.name} (USERNAME_PASSWORD): this connection has an empty username and password`);
      }
      const pair = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
      setHeader(headers, 'authorization', `Basic ${pair}`);
      break;
    }
    case 'OAUTH1':
      setHeader(headers, 'authorization', oauth1Header(integration, hop, headers, credential));
      break;
    case 'API_KEY':
      // integrations.yaml places ${api_key} in a header or query param template.
      break;
  }
  return headers;
}

function oauth1Header(integration: IntegrationConfig, hop: Hop, headers: Headers, credential: (f: string) => string) {
  const { clientId, clientSecret } = integration.oauth ?? {};
  if (!clientId || !clientSecret) {
    throw invalid(`integrations.${integration.name}.oauth needs a client_id and client_secret to sign OAUTH1 requests`);
  }
  // RFC 5849 section 3.4.1.3.1: only a form-encoded body's parameters are signed.
  const isForm = /^application\/x-www-form-urlencoded\b/i.test(headers.get('content-type') ?? '');
  const payload = hop.body?.payload;
  return oauth1AuthorizationHeader({
    method: hop.method,
    url: hop.url.href,
    bodyParams: isForm && typeof payload === 'string' ? new URLSearchParams(payload) : undefined,
    consumerKey: clientId,
    consumerSecret: clientSecret,
    token: credential('oauth_token'),
    tokenSecret: credential('oauth_token_secret'),
  });
}

function readCredential(integration: IntegrationConfig, connection: NangoConnection, field: string, mayBeEmpty = false): string {
  const { credentials } = connection;
  const value = Object.prototype.hasOwnProperty.call(credentials, field) ? credentials[field] : undefined;
  if (typeof value !== 'string' || (value === '' && !mayBeEmpty)) {
    const mode = integration.authMode;
    throw invalid(`integration ${integration.name} (${mode}): this connection has no ${field} credential`);
  }
  return value;
}
