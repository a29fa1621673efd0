import type { ActionRunner } from '../actions/ActionRunner';
import type { DeployedFunctions } from '../actions/DeployedFunctions';
import type { ActionConfig, IntegrationConfig, IntegrationsConfig } from '../config/types';
import { WorkerError } from '../errors';
import type { Logger } from '../logger';
import type { OperationLog } from '../operationLog/OperationLog';
import type { ConnectionStore, IdempotencyStore } from '../store/Store';
import type { TokenRefresher } from '../refresh/TokenRefresher';
import type { Webhooks } from '../webhooks/Webhooks';
import type { FunctionEnvironment } from './FunctionEnvironment';
import type { OnEventQueue } from './OnEventQueue';

/** What every message handler may use. */
export interface OperationContext {
  readonly store: ConnectionStore;
  readonly runner: ActionRunner;
  readonly idempotency: IdempotencyStore;
  /** Refreshes OAuth 2 tokens before they are used. */
  readonly refresher: TokenRefresher;
  /** How long the outcome of a keyed call is kept (NANGO_IDEMPOTENCY_TTL_S). */
  readonly idempotencyTtlMs: number;
  /** Largest metadata (additionalConfig, as JSON) a write may leave on a Connection (NANGO_MAX_METADATA_BYTES). */
  readonly maxMetadataBytes: number;
  /**
   * Time limit of each call of a catalog entry's verification request when credentials are given
   * (NANGO_VERIFICATION_TIMEOUT_MS). Default: DEFAULT_VERIFICATION_TIMEOUT_MS (outbound/verifyCredentials.ts).
   */
  readonly verificationTimeoutMs?: number;
  /** Where webhooks are sent from (auth webhooks on creation and refresh failure). */
  readonly webhooks: Webhooks;
  /** Where operations log what the caller does not see (a failed token revocation); none in some unit tests. */
  readonly logger?: Logger;
  /** The operations log: every operation the server does for a user is recorded here (NO_OPERATIONS records none). */
  readonly log: OperationLog;
  /** The functions deployed by the official `nango deploy`; none in some unit tests. Our own actions win a name clash. */
  readonly deployed?: DeployedFunctions;
  /** What a deployed function may read of the environment (getWebhookURL, getEnvironmentVariables); none in some unit tests. */
  readonly environment?: FunctionEnvironment;
  /**
   * Where post-connection-creation runs are queued for a worker (the durable `<queue>.events`); none in some unit
   * tests, where they run in the process that stored the Connection.
   */
  readonly onEvents?: OnEventQueue;
  /** The integrations as currently loaded; it changes when integrations.yaml is reloaded. */
  integrations(): IntegrationsConfig;
}

/**
 * The integration named in a message.
 * @throws WorkerError `unknown_integration`
 */
export function requireIntegration(context: OperationContext, name: string): IntegrationConfig {
  const { integrations } = context.integrations();
  const integration = integrations.get(name);
  if (!integration) {
    const known = [...integrations.keys()].join(', ') || 'none';
    throw new WorkerError('unknown_integration', `Unknown integration '${name}': integrations.yaml declares ${known}`);
  }
  return integration;
}

/**
 * An integration's action by name: its own (integrations.yaml) first, then the active deployment's.
 * @throws WorkerError `unknown_action`, `storage_error`
 */
export async function requireAction(
  context: OperationContext,
  integration: IntegrationConfig,
  name: string,
): Promise<ActionConfig> {
  const action = integration.actions.get(name) ?? (await context.deployed?.action(integration, name));
  if (action) return action;
  const deployed = (await context.deployed?.actionNames(integration.name)) ?? [];
  const known = [...new Set([...integration.actions.keys(), ...deployed])].join(', ') || 'none';
  throw new WorkerError('unknown_action', `Integration '${integration.name}' has no action '${name}'; declared: ${known}`);
}
