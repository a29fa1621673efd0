import type { NangoConnection } from '@nangohq/protocol';
import type { IntegrationConfig } from '../config/types';

/**
 * Keeps OAuth 2 access tokens fresh. The worker calls it before every action run and for every token asked for
 * through the token API.
 */
export interface TokenRefresher {
  /**
   * The Connection with credentials fit to use now: for an OAUTH2 integration whose access token expires within its
   * refresh margin (or when `force` is set), refreshed first; otherwise as it is. A Connection without `expires_at`
   * is never refreshed unless forced. Other auth modes are returned as they are.
   * @throws WorkerError `connection_needs_reauthorization` (the provider rejected the refresh token),
   *   `token_refresh_failed` (transient, after retries; retryable), `refresh_not_possible` (forced without a
   *   refresh token or token URL), `connection_not_found` (deleted during the refresh)
   */
  ensureFresh(
    integration: IntegrationConfig,
    connection: NangoConnection,
    options?: {
      force?: boolean;
      /** The operation the refresh happens for (an action run): the refresh's own operation points at it. */
      operationId?: string;
      /** Why the background check asks for it (see BackgroundRefresh); its operation says so. */
      background?: BackgroundReason;
    },
  ): Promise<NangoConnection>;
}

/** Why the background check refreshes a Connection: its token expires soon, or its refresh token is due for use. */
export type BackgroundReason = 'expiry' | 'exercise';
