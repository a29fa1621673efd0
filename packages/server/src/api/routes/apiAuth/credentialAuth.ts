import { randomUUID } from 'node:crypto';
import type { AuthMode } from '@nangohq/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IntegrationConfig } from '../../../config/types';
import { WorkerError } from '../../../errors';
import { saveConnection } from '../../../operations/saveConnection';
import { prepareConnection, type PreparedConnection } from '../../../operations/prepareCredentials';
import { runPostConnection } from '../../../operations/runPostConnection';
import { authorizeConnect } from '../../oauth/authorizeConnect';
import { connectParams } from '../../oauth/connectParams';
import { OAuthFlowError, type OAuthErrorType } from '../../../oauth/flow/OAuthFlowError';
import { parseConnectQuery } from '../../../oauth/flow/parseConnectQuery';
import type { ApiContext } from '../../ApiContext';
import type { OperationHandle } from '../../../operationLog/OperationLog';
import { connectName } from '../../../config/authModeNames';
import { failConnect, startConnect } from '../../oauth/connectOperation';

/** The flow error type of each error prepareCredentials refuses credentials with (the frontends' names). */
const FLOW_TYPE_OF: Partial<Record<string, OAuthErrorType>> = {
  invalid_credentials: 'invalid_credentials',
  token_refresh_failed: 'token_err',
  credentials_rejected: 'connection_test_failed',
  credentials_check_failed: 'credentials_check_failed',
  invalid_connection_config: 'invalid_connection_config',
  // A catalog entry whose verification request cannot be built (see outbound/catalogRequest).
  internal_error: 'provider_config_err',
};

/** Status of each flow error an /api-auth route answers with; others are 400. */
const STATUS: Partial<Record<OAuthErrorType, number>> = {
  credentials_check_failed: 502,
  account_or_environment_retrieval_err: 401,
  invalid_connect_session: 401,
  missing_hmac: 401,
  invalid_hmac: 401,
  integration_not_allowed: 403,
  unknown_config_key: 404,
  unknown_err: 500,
};

/** What a mode adds to the generic credential routes. */
export interface CredentialAuthOptions {
  /**
   * Connection config the mode derives from the request and the integration, added to the `params[…]` given (AWS
   * SigV4: the region and service its base URL names); it may refuse the request (throw OAuthFlowError) when the
   * config lacks what the mode needs, before anything is asked of the provider or stored.
   */
  readonly config?: (
    integration: IntegrationConfig,
    body: Readonly<Record<string, unknown>>,
    params: Readonly<Record<string, string>>,
  ) => Record<string, string>;
}

/** The request of a credential route as connectWithCredentials reads it. */
export interface CredentialRequest {
  readonly providerConfigKey: string;
  /** The query as Fastify parsed it: connection_id or connect_session_token, public_key, hmac, params[…]. */
  readonly query: Readonly<Record<string, unknown>>;
  /** The JSON body (the credentials), `{}` when there is none. */
  readonly body: Readonly<Record<string, unknown>>;
}

/**
 * The routes of frontend 0.71's non-OAuth `auth()` (contract B.4: /api-auth/api-key, /api-auth/basic, /auth/…): the
 * request is authorised as /oauth/connect is (connection_id with public key and hmac, or a connect session token),
 * the `params[…]` against the catalog entry's `connection_config` fields (connectParams), the credentials against the
 * integration's auth mode (see prepareCredentials: a mode that fetches a token with them fetches it now) and, when
 * its catalog entry names a `proxy.verification` request, against the provider; then the Connection is made, or,
 * over an existing one, its credentials replaced (an override). 200
 * `{ connectionId, providerConfigKey }`; errors `{ error: { code, message } }` whose code the frontend rejects with.
 * Each request is one `connect` operation named after the mode (`api_key`, `basic`, `oauth2_cc`, …), failed with the
 * error's code when refused.
 * @param credentialsOf the request body in the shape registerConnection takes for the mode
 */
export async function credentialAuth(
  context: ApiContext,
  request: FastifyRequest<{ Params: { providerConfigKey: string }; Querystring: Record<string, unknown> }>,
  reply: FastifyReply,
  authMode: AuthMode,
  credentialsOf: (body: Record<string, unknown>) => Record<string, unknown>,
  options: CredentialAuthOptions = {},
): Promise<FastifyReply> {
  const providerConfigKey = request.params.providerConfigKey;
  const body = request.body !== null && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {};
  try {
    const made = await connectWithCredentials(
      context,
      { providerConfigKey, query: request.query, body },
      authMode,
      credentialsOf,
      options,
    );
    return reply.code(200).send(made);
  } catch (error) {
    const failure = error as OAuthFlowError;
    return reply.code(STATUS[failure.type] ?? 400).send({ error: { code: failure.type, message: failure.message } });
  }
}

/**
 * What credentialAuth does, without the HTTP reply: for the routes above and for /oauth/connect when a frontend sends
 * a non-OAuth mode's credentials there (TBA's token id and secret in the popup's query). Records the `connect`
 * operation and logs a refusal (without secrets).
 * @returns who the Connection is, as the frontends want it
 * @throws OAuthFlowError (an unexpected error becomes `unknown_err`, logged with an incident id)
 */
export async function connectWithCredentials(
  context: ApiContext,
  request: CredentialRequest,
  authMode: AuthMode,
  credentialsOf: (body: Record<string, unknown>) => Record<string, unknown>,
  options: CredentialAuthOptions = {},
): Promise<{ connectionId: string; providerConfigKey: string }> {
  const { providerConfigKey } = request;
  const startedAt = Date.now();
  const parties = { name: connectName(authMode), integration: providerConfigKey, startedAt };
  let operation: OperationHandle | undefined;
  try {
    const target = await authorizeConnect(context, providerConfigKey, parseConnectQuery(request.query));
    const endUserId = target.session?.endUser?.id;
    operation = startConnect(context, { ...parties, connectionId: target.connectionId, endUserId });
    const integration = context.registry.snapshot().integrations.get(providerConfigKey);
    if (!integration) throw new OAuthFlowError('unknown_config_key', `No integration '${providerConfigKey}'`);
    if (integration.authMode !== authMode) {
      throw new OAuthFlowError(
        'auth_mode_err',
        `Integration '${providerConfigKey}' uses ${integration.authMode}, not ${authMode}`,
      );
    }
    // Before any request to the provider: a per-tenant value outside its catalog field's rules goes nowhere.
    const params = connectParams(integration.provider, target.params);
    // What the mode derives itself (AWS SigV4: the region and service its base URL names).
    const given = { ...params, ...options.config?.(integration, request.body, params) };
    const raw = credentialsOf({ ...request.body });
    let prepared: PreparedConnection;
    try {
      prepared = await prepareConnection(
        integration,
        { userId: target.connectionId, credentials: raw, config: given },
        {
          verificationTimeoutMs: context.workerSettings.verificationTimeoutMs,
          onVerified: (endpoint) =>
            operation?.message('info', 'the provider accepted the credentials at its verification endpoint', { endpoint }),
        },
      );
    } catch (error) {
      if (error instanceof WorkerError && FLOW_TYPE_OF[error.code]) {
        throw new OAuthFlowError(FLOW_TYPE_OF[error.code] as OAuthErrorType, error.message);
      }
      throw error;
    }
    const { credentials } = prepared;
    const made = { userId: target.connectionId, credentials, config: prepared.config };
    const config = {
      ...prepared.config,
      ...(await runPostConnection(integration, made, {
        log: context.operations.log,
        parentId: operation.id,
        endUserId,
        timeoutMs: context.settings.providerTimeoutMs,
        logger: context.logger,
      })),
    };
    const saved = await saveConnection(context.operations, {
      integration: providerConfigKey,
      userId: target.connectionId,
      credentials,
      config,
      mode: 'upsert',
      attributes: target.session && { endUser: target.session.endUser, tags: { ...target.session.tags } },
      authMode,
      parentId: operation.id,
    });
    context.logger.info(
      { providerConfigKey, connectionId: target.connectionId, operation: saved, operationId: operation.id || undefined },
      'credentials saved through /api-auth',
    );
    operation.set({ connection: saved === 'creation' ? 'created' : 'updated' });
    operation.end('success');
    return { connectionId: target.connectionId, providerConfigKey };
  } catch (error) {
    const failure = asFlowError(context, error);
    const connectionId = typeof request.query['connection_id'] === 'string' ? request.query['connection_id'] : undefined;
    failConnect(operation ?? startConnect(context, { ...parties, connectionId }), failure);
    context.logger.warn({ type: failure.type, reason: failure.message, providerConfigKey }, '/api-auth refused');
    throw failure;
  }
}

function asFlowError(context: ApiContext, error: unknown): OAuthFlowError {
  if (error instanceof OAuthFlowError) return error;
  if (error instanceof WorkerError && error.code === 'invalid_credentials')
    return new OAuthFlowError('invalid_credentials', error.message);
  const incident = randomUUID();
  context.logger.error({ err: error, incident }, 'unexpected error in /api-auth');
  return new OAuthFlowError('unknown_err', `Internal error (incident ${incident}); see the server log`);
}
