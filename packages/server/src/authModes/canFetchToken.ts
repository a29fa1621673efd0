import type { NangoConnection } from '@nangohq/protocol';
import type { IntegrationConfig } from '../config/types';
import { authModeHandler } from './handlers';

/** The time limit given to a grant that is only built, never sent. */
const PROBE_TIMEOUT_MS = 1_000;

/**
 * Whether the server can fetch a token for this Connection by itself (an OAuth 2 refresh token, client credentials,
 * a role to assume, …): its mode has a grant and the grant lacks nothing. The grant is built, never sent.
 */
export function canFetchToken(integration: IntegrationConfig, connection: NangoConnection): boolean {
  const { grant } = authModeHandler(integration.authMode);
  return grant !== undefined && !('missing' in grant(integration, connection, PROBE_TIMEOUT_MS));
}
