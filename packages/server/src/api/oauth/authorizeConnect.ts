import { createHmac, randomUUID } from 'node:crypto';
import type { ApiContext } from '../ApiContext';
import { secretEquals } from '../secretKey';
import type { ConnectSession } from '../../store/ConnectSessionStore';
import { OAuthFlowError } from '../../oauth/flow/OAuthFlowError';
import type { ConnectQuery } from '../../oauth/flow/parseConnectQuery';

/** Who a frontend connect request is for, once authorised, and the flow inputs after the session's defaults. */
export interface ConnectTarget {
  readonly connectionId: string;
  /** The connect session the request came with; its end user and tags go on the Connection. */
  readonly session: ConnectSession | undefined;
  readonly params: Readonly<Record<string, string>>;
  readonly authorizationParams: Readonly<Record<string, string | undefined>>;
  readonly userScope: readonly string[];
}

/**
 * Authorises a frontend's connect request (/oauth/connect and /api-auth, contract B.5) and says which Connection it
 * makes. With `connect_session_token`: the session must be live and allow the integration, `connection_id` is
 * refused, the id is generated (a reconnect session's own Connection id instead), and the session's
 * integrations_config_defaults win over the request's params, authorization params and user scopes. Without one:
 * `connection_id` is required, and the public key and HMAC are checked when the server sets them.
 * @throws OAuthFlowError `invalid_query_params`, `invalid_connect_session`, `integration_not_allowed`,
 *   `missing_connection_id`, `account_or_environment_retrieval_err`, `missing_hmac`, `invalid_hmac`
 */
export async function authorizeConnect(
  context: ApiContext,
  providerConfigKey: string,
  query: ConnectQuery,
): Promise<ConnectTarget> {
  if (query.connectSessionToken !== undefined) return withSession(context, providerConfigKey, query, query.connectSessionToken);
  const { settings } = context;
  if (settings.publicKey !== undefined && (query.publicKey === undefined || !secretEquals(query.publicKey, settings.publicKey))) {
    throw new OAuthFlowError(
      'account_or_environment_retrieval_err',
      "public_key is missing or is not this server's NANGO_PUBLIC_KEY",
    );
  }
  const { connectionId } = query;
  if (connectionId === undefined)
    throw new OAuthFlowError('missing_connection_id', 'The connect request has no connection_id (nor a connect session token)');
  if (settings.hmacKey !== undefined) {
    if (query.hmac === undefined)
      throw new OAuthFlowError('missing_hmac', 'This server requires an hmac of "<provider config key>:<connection id>"');
    const expected = createHmac('sha256', settings.hmacKey).update(`${providerConfigKey}:${connectionId}`).digest('hex');
    if (!secretEquals(query.hmac.toLowerCase(), expected))
      throw new OAuthFlowError('invalid_hmac', 'The hmac does not match this provider config key and connection id');
  }
  return {
    connectionId,
    session: undefined,
    params: query.params,
    authorizationParams: query.authorizationParams,
    userScope: query.userScope,
  };
}

async function withSession(
  context: ApiContext,
  providerConfigKey: string,
  query: ConnectQuery,
  token: string,
): Promise<ConnectTarget> {
  if (query.connectionId !== undefined) {
    throw new OAuthFlowError(
      'invalid_query_params',
      'connection_id must not be given with a connect session token: the server chooses the Connection id',
    );
  }
  const session = await context.store.connectSessions.get(token);
  if (!session)
    throw new OAuthFlowError(
      'invalid_connect_session',
      'The connect session is unknown or has expired: ask the app for a new one',
    );
  let connectionId: string;
  if (session.reconnect) {
    if (session.reconnect.integration !== providerConfigKey)
      throw new OAuthFlowError(
        'integration_not_allowed',
        `This reconnect session is for integration '${session.reconnect.integration}', not '${providerConfigKey}'`,
      );
    connectionId = session.reconnect.connectionId;
  } else {
    if (session.allowedIntegrations !== undefined && !session.allowedIntegrations.includes(providerConfigKey))
      throw new OAuthFlowError(
        'integration_not_allowed',
        `This connect session does not allow integration '${providerConfigKey}'`,
      );
    connectionId = randomUUID();
  }
  const defaults = session.integrationsConfigDefaults[providerConfigKey];
  const params: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, query.params);
  for (const [name, value] of Object.entries(defaults?.connectionConfig ?? {})) {
    params[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return {
    connectionId,
    session,
    params,
    authorizationParams: { ...query.authorizationParams, ...defaults?.authorizationParams },
    userScope: defaults?.userScopes ?? query.userScope,
  };
}
