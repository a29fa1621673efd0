import type { GetRawTokenResponseMessage } from '@nangohq/protocol';
import { freshConnection } from './freshConnection';
import type { OperationContext } from './OperationContext';

/**
 * The Connection's `credentials.raw`: the provider's last token response once the worker has refreshed it, else
 * exactly what the caller registered. Refreshed first like getToken, so it is the response behind the current token.
 * @throws WorkerError `unknown_integration`, `connection_not_found`, and the refresher's errors
 */
export async function getRawTokenResponse(
  context: OperationContext,
  message: GetRawTokenResponseMessage,
): Promise<Record<string, unknown>> {
  const { connection } = await freshConnection(context, message.integration, message.userId);
  return connection.credentials.raw;
}
