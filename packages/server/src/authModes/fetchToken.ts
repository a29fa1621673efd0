import type { NangoConnection, StoredCredentials } from '@nangohq/protocol';
import type { IntegrationConfig } from '../config/types';
import { WorkerError } from '../errors';
import { requestTokenWithRetries, TokenEndpointError, type RetryPolicy } from '../oauth/requestToken';
import { authModeHandler } from './handlers';

/**
 * The credentials of a Connection being made, with the token its auth mode fetches at creation (client credentials,
 * a two-step exchange, a signed JWT, …) fetched now, with what the user gave: so a Connection whose inputs the
 * provider refuses is never stored. Modes that fetch nothing at creation get `connection.credentials` back as they are.
 * @param connection the Connection as it would be stored: its credentials already normalised, its config set
 * @throws WorkerError `invalid_credentials` (what is missing to ask, or the provider refused: its answer's status and
 *   reason, no secret), `token_refresh_failed` (no answer, or 5xx/429 after the retries: retryable)
 */
export async function fetchTokenAtCreation(
  integration: IntegrationConfig,
  connection: NangoConnection,
  policy: RetryPolicy & { readonly timeoutMs: number },
): Promise<StoredCredentials> {
  const handler = authModeHandler(integration.authMode);
  if (!handler.grant || handler.tokenFetch?.atCreation !== true) return connection.credentials;
  const grant = handler.grant(integration, connection, policy.timeoutMs);
  const who = `integration '${integration.name}' (${integration.authMode})`;
  if ('missing' in grant) throw new WorkerError('invalid_credentials', `Cannot get a token for ${who}: ${grant.missing}`);
  let response: Record<string, unknown> | undefined;
  try {
    response = await requestTokenWithRetries(() => grant.request(), policy);
  } catch (error) {
    if (!(error instanceof TokenEndpointError)) throw error;
    if (error.kind === 'transient') {
      throw new WorkerError(
        'token_refresh_failed',
        `The provider's token endpoint for ${who} did not answer in time (${error.message}); try again`,
      );
    }
    throw new WorkerError('invalid_credentials', `The provider refused these credentials for ${who} (${error.message})`);
  }
  if (response === undefined) throw new WorkerError('token_refresh_failed', `No token was fetched for ${who}; try again`);
  return grant.credentials(connection.credentials, response, Date.now());
}
