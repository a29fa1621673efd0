import type { OperationHandle } from '../../operationLog/OperationLog';
import type { OAuthFlowError } from '../../oauth/flow/OAuthFlowError';
import type { ApiContext } from '../ApiContext';

/** What is known of a connect flow when its operation starts; the less it got through, the less is known. */
export interface ConnectParties {
  /** `oauth2`, `oauth1`, `api_key`, `basic`; `oauth` when the flow failed before its integration was known. */
  readonly name: string;
  readonly integration?: string | undefined;
  readonly connectionId?: string | undefined;
  readonly endUserId?: string | undefined;
  /** When the flow started (an OAuth flow starts at /oauth/connect, a request before its callback). */
  readonly startedAt?: number | undefined;
}

/** Starts the `connect` operation of a flow (OAuth, API key, basic). */
export function startConnect(context: ApiContext, parties: ConnectParties): OperationHandle {
  return context.operations.log.start({ kind: 'connect', ...parties });
}

/**
 * Ends a connect operation with the flow's error: its type is the code (the frontends' own classification); `cancelled`
 * when the user said no at the provider, `failed` otherwise.
 */
export function failConnect(operation: OperationHandle, error: OAuthFlowError, status: 'failed' | 'cancelled' = 'failed'): void {
  operation.end(status, { code: error.type, message: error.message });
}
