import type { NangoConnection } from '@nangohq/protocol';
import type { IntegrationConfig } from '../config/types';
import { requireIntegration, type OperationContext } from './OperationContext';
import { connectionNotFound } from '../errors';

/**
 * The Connection of `userId` on `integration` with credentials fit to use now, through the refresher: an OAuth 2
 * access token that expires within its margin (or any, with `force`) is refreshed first.
 * @throws WorkerError `unknown_integration`, `connection_not_found`, and the refresher's
 *   (`connection_needs_reauthorization`, `token_refresh_failed`, `refresh_not_possible`)
 */
export async function freshConnection(
  context: OperationContext,
  integrationName: string,
  userId: string,
  force = false,
  /** The operation the Connection is for (a sync run, a proxy call): a refresh it needs points at it. */
  operationId?: string,
  /**
   * How old a copy of the Connection this process read may be (the proxy's NANGO_PROXY_STALE_MS; see
   * ConnectionStore.getRecent). A refresh it needs still reads the store under its lock (fenced).
   */
  maxStaleMs = 0,
): Promise<{ integration: IntegrationConfig; connection: NangoConnection }> {
  const integration = requireIntegration(context, integrationName);
  const stored =
    maxStaleMs > 0
      ? await context.store.getRecent(integration.name, userId, maxStaleMs)
      : await context.store.get(integration.name, userId);
  if (!stored) throw connectionNotFound(integration.name, userId);
  const options = operationId ? { force, operationId } : { force };
  return { integration, connection: await context.refresher.ensureFresh(integration, stored, options) };
}
