import type { NangoAuthCredentials } from '@nangohq/protocol';
import { WorkerError } from '../../../errors';
import type { IntegrationConfig } from '../../../config/types';
import { registerConnection } from '../../../handlers/registerConnection';
import { updateConnectionCredentials } from '../../../handlers/updateConnectionCredentials';
import type { ConnectionAttributes } from '../../../store/Store';
import type { ApiContext } from '../../ApiContext';
import { connectionSaved } from '../../connectionSaved';

/** A Connection brought over with its credentials (`POST /connections`). */
export interface ImportedConnection {
  readonly integration: IntegrationConfig;
  readonly userId: string;
  /** As registerConnection takes them (see importedCredentials). */
  readonly credentials: NangoAuthCredentials;
  /** Merged into the Connection's config (its metadata). */
  readonly config: Record<string, unknown>;
  /** What the request gave: an absent end user is null, absent tags `{}`; either way the Connection's stay. */
  readonly attributes: ConnectionAttributes;
}

/** How often a Connection deleted or made by another request in the middle of an import is tried again. */
const ATTEMPTS = 3;

/**
 * Saves an import through the operations the other doors use, as Nango's import does: a new Connection through
 * registerConnection (as the RabbitMQ message), its tags and end user stored before its `auth` webhook
 * (`creation`); over an existing one, updateConnectionCredentials (a fresh start: a needs-reauthorization mark is
 * cleared), the config merged over its config, then connectionSaved (as an OAuth callback or /api-auth over an
 * existing Connection: attributes, then the `override` webhook).
 * @throws WorkerError `invalid_credentials` (naming body/credentials), `storage_error`
 */
export async function importConnection(context: ApiContext, imported: ImportedConnection): Promise<'creation' | 'override'> {
  const { integration, userId, credentials, config, attributes } = imported;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    try {
      await registerConnection(
        context.handlers,
        { type: 'registerConnection', integration: integration.name, userId, credentials, additionalConfig: { ...config } },
        {
          ...(attributes.endUser !== null && { endUser: attributes.endUser }),
          ...(Object.keys(attributes.tags).length > 0 && { tags: attributes.tags }),
        },
      );
      return 'creation';
    } catch (error) {
      if (!(error instanceof WorkerError) || error.code !== 'connection_exists') throw located(error);
    }
    try {
      await updateConnectionCredentials(context.handlers, {
        type: 'updateConnectionCredentials',
        integration: integration.name,
        userId,
        credentials,
      });
    } catch (error) {
      if (error instanceof WorkerError && error.code === 'connection_not_found') continue; // deleted meanwhile: make it anew
      throw located(error);
    }
    if (Object.keys(config).length > 0) {
      await context.handlers.store.updateConfigs(integration.name, [userId], (current) => ({ ...current, ...config }));
    }
    await connectionSaved(context, {
      providerConfigKey: integration.name,
      connectionId: userId,
      operation: 'override',
      authMode: integration.authMode,
      attributes,
    });
    return 'override';
  }
  throw new WorkerError(
    'storage_error',
    `The Connection of '${userId}' on '${integration.name}' kept changing while it was imported`,
  );
}

/** registerConnection's credential errors, located in the request ("Credentials for … (OAUTH2): …"). */
function located(error: unknown): unknown {
  if (error instanceof WorkerError && error.code === 'invalid_credentials') {
    return new WorkerError('invalid_credentials', `body/credentials: ${error.message}`);
  }
  return error;
}
