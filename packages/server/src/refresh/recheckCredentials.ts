import type { NangoConnection } from '@nangohq/protocol';
import { catalogModeOf } from '../config/authModeNames';
import type { IntegrationConfig } from '../config/types';
import type { Logger } from '../logger';
import type { OperationLog } from '../operationLog/OperationLog';
import { CredentialsRefused, verifyCredentials } from '../outbound/verifyCredentials';
import type { ConnectionStore } from '../store/Store';
import { sendAuthWebhook } from '../webhooks/authWebhook';
import type { Webhooks } from '../webhooks/Webhooks';

/** What the background verification of static credentials needs. */
export interface RecheckDeps {
  readonly connections: Pick<ConnectionStore, 'markNeedsReauthorization' | 'attributes'>;
  readonly webhooks: Webhooks;
  readonly log: OperationLog;
  readonly logger: Logger;
}

/**
 * How a verification ended: `verified`; `refused` (the provider said no: marked, webhook sent); `transient` (no
 * answer, a timeout, a 5xx, a rate limit: worth trying again soon); `unverifiable` (the request could not be made
 * from this Connection or integration: trying again soon would not help); `changed` (refused, but the credentials
 * were written meanwhile, and the refusal is about ones that are gone).
 */
export type RecheckOutcome = 'verified' | 'refused' | 'transient' | 'unverifiable' | 'changed';

/** Statuses that say "not now" rather than "no": timeout, too early, too many requests. */
const NOT_NOW = new Set([408, 425, 429]);
/** Request errors that say "not now": no answer in time, a network error, a rate limit learned before. */
// `timeout`: the verification request's own time limit (outbound/verifyCredentials.ts) ran out.
const TRANSIENT_CODES = new Set(['http_request_failed', 'provider_rate_limited', 'network error', 'timeout']);

/** The webhook's error type for a refused verification: Nango's, which apps already handle. */
export const VERIFICATION_FAILED = 'connection_test_failed';

/**
 * Tries static credentials at their integration's verification request again (outbound/verifyCredentials.ts), as a
 * `refresh` operation named `verification`. A refusal (a 4xx other than 408, 425 and 429) marks the Connection as
 * needing the user, with the provider's answer as `authorizationError`, and sends the `auth` webhook (`refresh`,
 * `connection_test_failed`), unless its credentials changed since `version`. Nothing else marks it.
 */
export async function recheckCredentials(
  deps: RecheckDeps,
  integration: IntegrationConfig,
  connection: NangoConnection,
  version: number,
): Promise<RecheckOutcome> {
  const operation = deps.log.start({
    kind: 'refresh',
    name: 'verification',
    integration: connection.integration,
    connectionId: connection.userId,
    fields: { background: 'verification' },
  });
  let refused: CredentialsRefused;
  try {
    const outcome = await verifyCredentials(integration, connection);
    operation.set(outcome.status === 'verified' ? { endpoint: outcome.endpoint } : {});
    operation.end('success');
    return 'verified';
  } catch (error) {
    if (!(error instanceof CredentialsRefused)) {
      operation.end('failed', { code: 'internal_error', message: 'the verification request failed unexpectedly' });
      throw error;
    }
    refused = error;
  }
  const { endpoint, answer } = refused;
  operation.set({ endpoint, answer });
  const fields = { integration: connection.integration, connection: connection.uuid, endpoint, answer };
  const kind = classify(answer);
  if (kind !== 'refused') {
    const next = kind === 'transient' ? 'tried again at the next cycle' : 'it cannot be made for this Connection as it is';
    operation.end('failed', {
      code: 'verification_failed',
      message: `the verification request ${endpoint} answered ${answer}; ${next}`,
    });
    deps.logger.warn({ ...fields, kind }, 'background verification of credentials failed');
    return kind;
  }
  const reason = `the provider refused the credentials: verification ${endpoint} answered ${answer}`;
  if (!(await deps.connections.markNeedsReauthorization(connection.uuid, reason, version))) {
    operation.end('cancelled', {
      code: 'credentials_changed',
      message: 'the credentials were written during the verification; its outcome is dropped',
    });
    return 'changed';
  }
  operation.end('failed', { code: 'connection_needs_reauthorization', message: `${reason}: the user must give new ones` });
  deps.logger.warn(fields, 'credentials refused at their verification request; the Connection needs the user');
  await sendAuthWebhook(
    { webhooks: deps.webhooks, store: deps.connections },
    {
      integration: connection.integration,
      userId: connection.userId,
      authMode: catalogModeOf(integration.authMode),
      provider: integration.provider?.name ?? integration.name,
      operation: 'refresh',
      error: { type: VERIFICATION_FAILED, description: `${reason}: the user must give new credentials` },
    },
  );
  return 'refused';
}

/**
 * What a verification's answer says: `refused` for a 4xx but "not now" (the credentials are bad: revoked, expired,
 * wrong); `transient` for a 5xx, a "not now" status, a timeout or network error, a rate limit; `unverifiable` for the
 * rest (a redirect elsewhere, a request that cannot be built from this Connection), which retrying would not mend.
 */
function classify(answer: number | string): 'refused' | 'transient' | 'unverifiable' {
  if (typeof answer === 'string') return TRANSIENT_CODES.has(answer) ? 'transient' : 'unverifiable';
  if (answer >= 500 || NOT_NOW.has(answer)) return 'transient';
  return answer >= 400 ? 'refused' : 'unverifiable';
}
