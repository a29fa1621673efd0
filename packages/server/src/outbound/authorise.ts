import type { NangoConnection } from '@nangohq/protocol';
import { authModeHandler } from '../authModes/handlers';
import type { IntegrationConfig } from '../config/types';
import type { Hop } from './sendFollowingRedirects';

/**
 * The headers of one hop, credentials added by the auth mode's handler unless the call set Authorization itself.
 * Called per hop: modes that sign the request (OAuth 1, …) sign each redirect hop's own method and URL.
 *
 * @throws WorkerError `http_request_invalid` when the Connection lacks a credential the auth mode needs, a
 *   credential is not a valid header value, or the integration lacks what the mode signs with
 */
export function authorise(integration: IntegrationConfig, connection: NangoConnection, merged: Headers, hop: Hop): Headers {
  const headers = new Headers(merged);
  if (headers.has('authorization')) return headers;
  const body = hop.body?.payload;
  authModeHandler(integration.authMode).authorise(integration, connection, { method: hop.method, url: hop.url, body, headers });
  return headers;
}
