import type { StoredCredentials } from '@nangohq/protocol';
import { WorkerError } from '../../errors';
import type { HandlerContext } from '../../handlers';

/**
 * Stores what an OAuth flow obtained, through the same store registerConnection writes to: a new Connection, or,
 * when one exists for that integration and connection id, its credentials replaced (which also clears a
 * needs-reauthorization mark) and the flow's config merged over its config. Credentials keep the provider's raw
 * token response as `raw`.
 * @throws WorkerError `storage_error`
 */
export async function saveOAuthConnection(
  context: HandlerContext,
  input: { integration: string; userId: string; credentials: StoredCredentials; config: Readonly<Record<string, unknown>> },
): Promise<'created' | 'updated'> {
  const { integration, userId, credentials, config } = input;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await context.store.insert({ integration, userId, credentials, additionalConfig: { ...config } });
      return 'created';
    } catch (error) {
      if (!(error instanceof WorkerError) || error.code !== 'connection_exists') throw error;
    }
    if (await context.store.updateCredentials(integration, userId, credentials)) {
      if (Object.keys(config).length > 0) {
        const missing = await context.store.updateConfigs(integration, [userId], (current) => ({ ...current, ...config }));
        if (missing.length > 0) continue; // deleted between the two writes: make it anew
      }
      return 'updated';
    }
    // Deleted between the insert and the update: try the insert again.
  }
  throw new WorkerError('storage_error', `The Connection of '${userId}' on '${integration}' kept changing while it was saved`);
}
