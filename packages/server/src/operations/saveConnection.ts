import type { StoredCredentials } from '@nangohq/protocol';
import type { ActionConfig } from '../config/types';
import { WorkerError } from '../errors';
import type { ConnectionAttributes } from '../store/Store';
import { sendAuthWebhook } from '../webhooks/authWebhook';
import type { OperationFields } from '../operationLog/Operation';
import { checkMetadataSize } from './checkMetadataSize';
import type { OperationContext } from './OperationContext';
import { queuePostConnection } from './queuePostConnection';
import { deployedOnEvents } from './runOnEvents';
import { recordChange } from './recordChange';
import { validateConnection } from './validateConnection';

/** A Connection to store, from whichever door made it. */
export interface ConnectionToSave {
  readonly integration: string;
  readonly userId: string;
  /** Already checked against the integration's auth mode (normaliseCredentials). */
  readonly credentials: StoredCredentials;
  /** The Connection's config: stored on a new Connection, merged over an existing one's on an override. */
  readonly config: Readonly<Record<string, unknown>>;
  /** How a refusal of the config (`metadata_too_large`) names it: the field it came in. Default: `the config` */
  readonly configName?: string;
  /**
   * `create` refuses an existing Connection (`connection_exists`: registerConnection); `upsert` replaces its
   * credentials, which also clears a needs-reauthorization mark (a frontend flow re-authorising it).
   */
  readonly mode: 'create' | 'upsert';
  /** From the connect session the flow ran under: an empty part is left as it was on the Connection. */
  readonly attributes?: ConnectionAttributes | undefined;
  /** For the auth webhook: OAUTH2, OAUTH1, API_KEY, BASIC, … */
  readonly authMode: string;
  /** The catalog provider's name, when the caller knows it; else looked up from the integration. */
  readonly provider?: string | undefined;
  /** The operation the save is part of (a connect flow), for the `connection` operation it records. */
  readonly parentId?: string | undefined;
  /**
   * Mode `create`: what identifies the request across deliveries (rpc/requestKey.ts), kept with the Connection. A
   * Connection already stored under the same key is this very registration delivered again: it is answered as made.
   */
  readonly registrationKey?: string | undefined;
}

/**
 * The one operation that saves a Connection for every door (RPC registerConnection, the OAuth callback, /api-auth):
 * the credentials and config, then the connect session's end user and tags, then the integration's deployed
 * validate-connection functions (validateConnection: one that throws refuses the save), then the `auth` webhook
 * (contract E.2), sent from here only, after the attributes so that it carries them, and last, for a new Connection,
 * its post-connection-creation functions, queued for a worker (queuePostConnection: not waited for). Both events'
 * functions come from one read of the active deployment, before anything is stored. The save is a `connection`
 * operation, `created` or `updated` (a failed one is named `created`). A config over NANGO_MAX_METADATA_BYTES (alone, or once merged over
 * the existing one) is refused before anything is stored.
 * @returns `creation` for a new Connection, `override` when an existing one got new credentials (E.2 wording)
 * @throws WorkerError `connection_exists` (mode `create`), `metadata_too_large`, `connection_validation_failed`,
 *   `storage_error`
 */
export async function saveConnection(context: OperationContext, input: ConnectionToSave): Promise<'creation' | 'override'> {
  const startedAt = Date.now();
  const change = {
    integration: input.integration,
    userId: input.userId,
    endUserId: input.attributes?.endUser?.id,
    parentId: input.parentId,
  };
  let operation: 'creation' | 'override';
  let onEvents: ReadonlyMap<string, readonly ActionConfig[]>;
  try {
    checkMetadataSize(input.config, context.maxMetadataBytes, input.configName ?? 'the config');
    onEvents = await deployedOnEvents(context, input.integration);
    const saved = input.mode === 'create' ? await insert(context, input) : await upsert(context, input);
    // Stored, webhook sent and answered by the run that delivered it first: nothing more to do, nothing to record.
    if (saved === 'repeated') return 'creation';
    operation = saved;
    await setAttributes(context, input);
    const validators = onEvents.get('validate-connection') ?? [];
    await validateConnection(context, { integration: input.integration, userId: input.userId, operation }, validators);
  } catch (error) {
    recordChange(context.log, { ...change, name: 'created', fields: { authMode: input.authMode } }, startedAt, error);
    throw error;
  }
  const created = operation === 'creation';
  const fields: OperationFields = created ? { authMode: input.authMode } : { change: 'credentials', authMode: input.authMode };
  const changeId = recordChange(context.log, { ...change, name: created ? 'created' : 'updated', fields }, startedAt);
  const integration = context.integrations().integrations.get(input.integration);
  await sendAuthWebhook(context, {
    integration: input.integration,
    userId: input.userId,
    authMode: input.authMode,
    provider: input.provider ?? integration?.provider?.name ?? input.integration,
    operation,
  });
  if (created) {
    const run = { integration: input.integration, userId: input.userId, parentId: changeId || undefined };
    await queuePostConnection(context, run, onEvents.get('post-connection-creation') ?? []);
  }
  return operation;
}

/** @returns `repeated` when the Connection is there already under the same registration key (a redelivery) */
async function insert(context: OperationContext, input: ConnectionToSave): Promise<'creation' | 'repeated'> {
  const { integration, userId, credentials, config, registrationKey } = input;
  try {
    await context.store.insert({ integration, userId, credentials, additionalConfig: { ...config }, registrationKey });
  } catch (error) {
    const exists = error instanceof WorkerError && error.code === 'connection_exists';
    if (!exists || registrationKey === undefined) throw error;
    if ((await context.store.registrationKeyOf(integration, userId)) !== registrationKey) throw error;
    context.logger?.info(
      { integration, userId },
      'registration delivered again after its Connection was stored; answered as made',
    );
    return 'repeated';
  }
  return 'creation';
}

async function upsert(context: OperationContext, input: ConnectionToSave): Promise<'creation' | 'override'> {
  const { integration, userId, credentials, config } = input;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await insert(context, { ...input, registrationKey: undefined });
      return 'creation';
    } catch (error) {
      if (!(error instanceof WorkerError) || error.code !== 'connection_exists') throw error;
    }
    // The config first: a merge over the size limit is refused before the credentials change.
    if (Object.keys(config).length > 0) {
      const name = input.configName ?? 'the config';
      const missing = await context.store.updateConfigs(integration, [userId], (current) => {
        const merged = { ...current, ...config };
        const where = `${name} once merged over the config of user '${userId}' on integration '${integration}'`;
        checkMetadataSize(merged, context.maxMetadataBytes, where);
        return merged;
      });
      if (missing.length > 0) continue; // deleted since the insert was refused: make it anew
    }
    if (await context.store.updateCredentials(integration, userId, credentials)) return 'override';
    // Deleted between the insert and the update: try the insert again.
  }
  throw new WorkerError('storage_error', `The Connection of '${userId}' on '${integration}' kept changing while it was saved`);
}

async function setAttributes(context: OperationContext, input: ConnectionToSave): Promise<void> {
  const { attributes } = input;
  if (!attributes) return;
  const change: Partial<ConnectionAttributes> = {};
  if (attributes.endUser !== null) change.endUser = attributes.endUser;
  if (Object.keys(attributes.tags).length > 0) change.tags = { ...attributes.tags };
  if (Object.keys(change).length > 0) await context.store.setAttributes(input.integration, input.userId, change);
}
