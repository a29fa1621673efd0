import { randomBytes } from 'node:crypto';
import type { StoredCredentials } from '@nangohq/protocol';
import type { ApiContext } from '../ApiContext';
import { secretEquals } from '../secretKey';
import type { OAuthClientConfig } from '../../integrations/IntegrationRegistry';
import type { OAuthSession } from '../../store/OAuthSessionStore';
import { refreshedCredentials } from '../../oauth/refreshedCredentials';
import { oauth1AuthorizeUrl, requestAccessToken, requestTemporaryToken } from '../../oauth/flow/oauth1';
import { authorizeConnect } from './authorizeConnect';
import { connectParams } from './connectParams';
import { redirectMetadata, tokenResponseMetadata } from '../../oauth/flow/providerMetadata';
import { authorizeUrl, exchangeCode, pkcePair } from '../../oauth/flow/oauth2';
import { OAuthFlowError } from '../../oauth/flow/OAuthFlowError';
import type { ConnectQuery } from '../../oauth/flow/parseConnectQuery';
import { runPostConnection, type PostConnectionRun } from '../../operations/runPostConnection';
import { saveConnection } from '../../operations/saveConnection';
import type { OperationHandle } from '../../operationLog/OperationLog';
import { connectName } from '../../config/authModeNames';
import { failConnect, startConnect } from './connectOperation';
import { completeInstallation, installClient } from './githubAppOAuthFlow';
import { mcpCredentialFields, mcpOAuthClient, prepareMcpFlow } from './mcpFlow';

/**
 * /oauth/connect: authorises the request (connect session, or public key and HMAC), finds the integration's OAuth client, opens an OAuth
 * session in the database keyed by a fresh random `state`, and returns the provider URL to redirect the user to
 * (for OAuth 1.0a after fetching a temporary token). The flow's `connect` operation is recorded at its callback,
 * from the time kept in the session; a flow that fails here is recorded here, failed.
 * @throws OAuthFlowError (an unexpected error becomes `unknown_err`, logged with an incident id)
 */
export async function startOAuthFlow(context: ApiContext, providerConfigKey: string, query: ConnectQuery): Promise<string> {
  const startedAt = Date.now();
  const known: { name: string; connectionId?: string | undefined; endUserId?: string | undefined } = {
    name: 'oauth',
    connectionId: query.connectionId,
  };
  try {
    return await startFlow(context, providerConfigKey, query, startedAt, known);
  } catch (error) {
    const flowError = error instanceof OAuthFlowError ? error : unexpected(context, error);
    failConnect(startConnect(context, { ...known, integration: providerConfigKey, startedAt }), flowError);
    throw flowError;
  }
}

async function startFlow(
  context: ApiContext,
  providerConfigKey: string,
  query: ConnectQuery,
  startedAt: number,
  known: { name: string; connectionId?: string | undefined; endUserId?: string | undefined },
): Promise<string> {
  const { settings } = context;
  const target = await authorizeConnect(context, providerConfigKey, query);
  known.connectionId = target.connectionId;
  known.endUserId = target.session?.endUser?.id;
  let client = await oauthClient(context, providerConfigKey);
  const authMode = client.provider.auth_mode as OAuthSession['authMode'];
  known.name = connectName(authMode);
  // Before any request to the provider: a value outside its catalog field's rules goes nowhere.
  let params = connectParams(client.provider, target.params);
  // A GitHub App with OAuth authorises on the app's install page.
  const integration = context.registry.snapshot().integrations.get(providerConfigKey);
  if (authMode === 'CUSTOM' && integration) ({ client, params } = installClient(integration, client, params));
  const state = randomBytes(32).toString('base64url');
  const expiresAt = Date.now() + settings.oauthSessionTtlMs;
  const base = {
    providerConfigKey,
    connectionId: target.connectionId,
    connectionConfig: { ...params },
    startedAt,
    ...(query.wsClientId !== undefined && { wsClientId: query.wsClientId }),
    ...(target.session && { attributes: { endUser: target.session.endUser, tags: { ...target.session.tags } } }),
  };
  if (authMode === 'OAUTH1') {
    const callbackUrl = `${settings.serverUrl}/oauth/callback?state=${state}`;
    const temporary = await requestTemporaryToken(client, callbackUrl, params, settings.providerTimeoutMs);
    const session: OAuthSession = {
      ...base,
      authMode: 'OAUTH1',
      callbackUrl,
      requestToken: temporary.token,
      requestTokenSecret: temporary.secret,
    };
    await context.sessions.create(state, session, expiresAt);
    return oauth1AuthorizeUrl(client, temporary.token, params);
  }
  const callbackUrl = `${settings.serverUrl}/oauth/callback`;
  // MCP: discovery and client registration first; then the same OAuth 2 flow with the flow's own client and URLs.
  const mcp = isMcp(authMode) ? await prepareMcpFlow(context, client, params, callbackUrl) : undefined;
  if (mcp) client = mcpOAuthClient(client, mcp);
  const pkce = client.provider.disable_pkce === true ? undefined : pkcePair();
  const redirect = authorizeUrl(client, { ...target, params }, { state, callbackUrl, codeChallenge: pkce?.challenge });
  const session: OAuthSession = {
    ...base,
    authMode,
    callbackUrl,
    ...(pkce && { codeVerifier: pkce.verifier }),
    ...(mcp && { mcp }),
  };
  await context.sessions.create(state, session, expiresAt);
  return redirect;
}

/** The outcome of a callback: the session it was for (when one was found) and the error, if it failed. */
export interface CallbackOutcome {
  readonly session: OAuthSession | undefined;
  readonly error: OAuthFlowError | undefined;
  /** Whether a new Connection was made or an existing one's credentials replaced. */
  readonly saved?: 'created' | 'updated';
  /**
   * Whether the session's own frontend hears of this outcome (its WebSocket, and its names on the page): the flow
   * ended, or the provider refused what the callback brought. A callback no provider would send (no code, another
   * flow's token) is answered on its own page only: it may come from anyone who learnt the state.
   */
  readonly toOwner: boolean;
}

/** What a callback brought for its flow: the provider's error, or what to trade for credentials. */
type CallbackAnswer =
  | { readonly kind: 'error'; readonly error: OAuthFlowError }
  | { readonly kind: 'code'; readonly code: string }
  | { readonly kind: 'verifier'; readonly token: string; readonly verifier: string };

/**
 * /oauth/callback: finds the session of `state`, turns the provider's answer into credentials and stores the
 * Connection. The session ends (its state works no more) only when the flow completes or the provider reported an
 * error for it; any other failure leaves it to its real callback until it expires, so a failed callback carrying
 * someone else's state cannot use that state up. Never throws: every failure is returned with its session, if any.
 * The flow is one `connect` operation, from /oauth/connect (the session's start time) to here; a callback its owner
 * does not hear of is recorded without the flow's names, so it cannot be mistaken for the flow's end.
 */
export async function finishOAuthFlow(context: ApiContext, query: Readonly<Record<string, unknown>>): Promise<CallbackOutcome> {
  const state = typeof query['state'] === 'string' ? query['state'] : undefined;
  let session: OAuthSession | undefined;
  let toOwner = false;
  try {
    if (!state) throw new OAuthFlowError('state_err', 'The callback carries no state');
    session = await context.sessions.peek(state);
    if (!session) throw unknownState();
    const answer = callbackAnswer(session, query, await codeParamOf(context, session));
    if (answer.kind === 'error') {
      if (!(await context.sessions.consume(state))) throw unknownState();
      toOwner = true;
      throw answer.error;
    }
    // From here the provider decides: what it refuses (a forged code too) is its owner's business as well.
    toOwner = true;
    const configured = await oauthClient(context, session.providerConfigKey);
    // An MCP flow trades its code where its start said, with the client it registered then.
    const client = session.mcp ? mcpOAuthClient(configured, session.mcp) : configured;
    let { credentials, config } =
      answer.kind === 'verifier'
        ? await finishOAuth1(context, client, session, answer)
        : await finishOAuth2(context, client, session, answer.code);
    const flowIntegration = context.registry.snapshot().integrations.get(session.providerConfigKey);
    if (session.authMode === 'CUSTOM' && flowIntegration) {
      // The installation the redirect names, checked with the user's token, and its own token.
      const timeoutMs = context.settings.providerTimeoutMs;
      ({ credentials, config } = await completeInstallation(flowIntegration, credentials, config, query, timeoutMs));
    }
    // What the provider's redirect carried that the catalog keeps (redirect_uri_metadata: a realm id, a shop).
    Object.assign(config, redirectMetadata(client.provider, query));
    // Two callbacks can get this far for one state; the first to consume it saves, the other stops here.
    if (!(await context.sessions.consume(state))) {
      toOwner = false;
      throw unknownState();
    }
    const operation = startFlowOperation(context, session);
    operation.message('info', 'the provider granted the token');
    const integration = context.registry.snapshot().integrations.get(session.providerConfigKey);
    if (integration) {
      const made = { userId: session.connectionId, credentials, config };
      Object.assign(config, await runPostConnection(integration, made, postConnectionRun(context, operation.id, session)));
    }
    const saved = await saveConnection(context.operations, {
      integration: session.providerConfigKey,
      userId: session.connectionId,
      credentials,
      config,
      mode: 'upsert',
      attributes: session.attributes,
      authMode: client.provider.auth_mode,
      provider: client.providerName,
      parentId: operation.id,
    });
    const outcome = saved === 'creation' ? 'created' : 'updated';
    operation.set({ connection: outcome });
    operation.end('success');
    return { session, error: undefined, saved: outcome, toOwner: true };
  } catch (error) {
    const flowError = error instanceof OAuthFlowError ? error : unexpected(context, error);
    // RFC 6749 4.1.2.1: access_denied is the user saying no, not something failing.
    const denied = flowError.type === 'callback_err' && query['error'] === 'access_denied';
    const operation = toOwner && session ? startFlowOperation(context, session) : startConnect(context, { name: 'oauth' });
    failConnect(operation, flowError, denied ? 'cancelled' : 'failed');
    return { session, error: flowError, toOwner };
  }
}

/** How the post-connection steps of a flow's Connection run: under its connect operation, within the provider time limit. */
function postConnectionRun(context: ApiContext, parentId: string, session: OAuthSession): PostConnectionRun {
  return {
    log: context.operations.log,
    parentId,
    endUserId: session.attributes?.endUser?.id,
    timeoutMs: context.settings.providerTimeoutMs,
    logger: context.logger,
  };
}

/** The `connect` operation of the flow a session belongs to, started when the flow did. */
function startFlowOperation(context: ApiContext, session: OAuthSession): OperationHandle {
  return startConnect(context, {
    name: connectName(session.authMode),
    integration: session.providerConfigKey,
    connectionId: session.connectionId,
    endUserId: session.attributes?.endUser?.id,
    startedAt: session.startedAt,
  });
}

function unknownState(): OAuthFlowError {
  return new OAuthFlowError('state_err', "The callback's state is unknown, expired or already used: start the flow again");
}

/**
 * What the callback brings for `session`'s flow. OAuth 2: `error` (the provider's, RFC 6749 4.1.2.1), else `code`
 * (under `codeParam`).
 * OAuth 1.0a: `denied` with the flow's own request token (the user refused, as Twitter says it), else
 * `oauth_token` (the flow's own) and `oauth_verifier`.
 * @throws OAuthFlowError `callback_err` when it brings none of these: no provider sends that, whoever did
 */
function callbackAnswer(session: OAuthSession, query: Readonly<Record<string, unknown>>, codeParam: string): CallbackAnswer {
  if (session.authMode === 'OAUTH1') {
    const requestToken = session.requestToken ?? '';
    const denied = text(query['denied']);
    if (denied !== undefined && requestToken !== '' && secretEquals(denied, requestToken)) {
      return { kind: 'error', error: new OAuthFlowError('callback_err', 'The provider answered that the user denied access') };
    }
    const token = text(query['oauth_token']);
    const verifier = text(query['oauth_verifier']);
    if (!token || !verifier) {
      throw new OAuthFlowError(
        'callback_err',
        'The callback carries no oauth_token and oauth_verifier (did the user deny access?)',
      );
    }
    if (requestToken === '' || !session.requestTokenSecret || !secretEquals(token, requestToken)) {
      throw new OAuthFlowError('callback_err', "The callback's oauth_token is not the one this flow was given");
    }
    return { kind: 'verifier', token, verifier };
  }
  const providerError = text(query['error']);
  if (providerError !== undefined) {
    const description = text(query['error_description']);
    const error = new OAuthFlowError(
      'callback_err',
      `The provider answered ${providerError}${description ? `: ${description.slice(0, 300)}` : ''}`,
    );
    return { kind: 'error', error };
  }
  const code = text(query[codeParam]);
  if (!code) throw new OAuthFlowError('callback_err', `The callback carries no ${codeParam}`);
  return { kind: 'code', code };
}

/**
 * The callback parameter that carries an OAuth 2 flow's code: `code`, or what the provider's catalog entry names
 * (`authorization_code_param_in_callback`). An integration gone since the flow started has `code`; the exchange
 * then fails on it with its own error.
 */
async function codeParamOf(context: ApiContext, session: OAuthSession): Promise<string> {
  if (session.authMode !== 'OAUTH2') return 'code';
  const found = await context.registry.oauthClient(session.providerConfigKey);
  return found?.client?.provider.authorization_code_param_in_callback ?? 'code';
}

async function finishOAuth2(
  context: ApiContext,
  client: OAuthClientConfig,
  session: OAuthSession,
  code: string,
): Promise<{ credentials: StoredCredentials; config: Record<string, unknown> }> {
  const response = await exchangeCode({
    client,
    code,
    callbackUrl: session.callbackUrl,
    codeVerifier: session.codeVerifier,
    connectionConfig: session.connectionConfig,
    timeoutMs: context.settings.providerTimeoutMs,
    // A token URL that an MCP server the user named published: through the address guard.
    ...(session.mcp?.serverUrl !== undefined && { guard: { allowPrivate: context.workerSettings.mcpAllowLocalServers } }),
  });
  const credentials = refreshedCredentials({ raw: {} }, response);
  if (credentials['refresh_token'] === undefined) delete credentials['refresh_token'];
  // An MCP Connection keeps the client its tokens were issued to: its refreshes must use that very client.
  if (session.mcp) Object.assign(credentials, mcpCredentialFields(session.mcp));
  const config: Record<string, unknown> = { ...session.connectionConfig, ...tokenResponseMetadata(client.provider, response) };
  return { credentials, config };
}

async function finishOAuth1(
  context: ApiContext,
  client: OAuthClientConfig,
  session: OAuthSession,
  answer: { readonly token: string; readonly verifier: string },
): Promise<{ credentials: StoredCredentials; config: Record<string, unknown> }> {
  const access = await requestAccessToken(
    client,
    { token: answer.token, secret: session.requestTokenSecret ?? '' },
    answer.verifier,
    session.connectionConfig,
    context.settings.providerTimeoutMs,
  );
  const credentials: StoredCredentials = { oauth_token: access.token, oauth_token_secret: access.secret, raw: access.raw };
  return { credentials, config: { ...session.connectionConfig } };
}

/**
 * The OAuth client of an integration that can run a flow.
 * @throws OAuthFlowError `unknown_config_key`, `provider_config_err`
 */
async function oauthClient(context: ApiContext, providerConfigKey: string): Promise<OAuthClientConfig> {
  const found = await context.registry.oauthClient(providerConfigKey);
  if (!found)
    throw new OAuthFlowError(
      'unknown_config_key',
      `No integration '${providerConfigKey}': create it with POST /config (nango config:create)`,
    );
  if (!found.client)
    throw new OAuthFlowError(
      'provider_config_err',
      `Integration '${providerConfigKey}' cannot run an OAuth flow: ${found.problem ?? 'unknown reason'}`,
    );
  const { provider } = found.client;
  const oauth = provider.auth_mode === 'OAUTH2' || provider.auth_mode === 'OAUTH1' || provider.auth_mode === 'CUSTOM';
  if (!oauth && !isMcp(provider.auth_mode)) {
    throw new OAuthFlowError(
      'provider_config_err',
      `Provider '${found.client.providerName}' uses ${provider.auth_mode}, not OAuth`,
    );
  }
  if (provider.body_format !== undefined && provider.body_format !== 'form' && provider.body_format !== 'json') {
    throw new OAuthFlowError(
      'provider_config_err',
      `Provider '${found.client.providerName}' wants body_format ${provider.body_format}, which this server does not send`,
    );
  }
  return found.client;
}

/** A bug or a storage failure, logged with an incident id; the frontend gets the id only. */
export function unexpected(context: ApiContext, error: unknown): OAuthFlowError {
  const incident = randomBytes(8).toString('hex');
  context.logger.error({ err: error, incident }, 'unexpected error in an OAuth flow');
  return new OAuthFlowError('unknown_err', `Internal error (incident ${incident}); see the server log`);
}

/** Whether a catalog auth mode is MCP OAuth, whose flow discovers and registers before the OAuth 2 one. */
function isMcp(mode: string): mode is 'MCP_OAUTH2' | 'MCP_OAUTH2_GENERIC' {
  return mode === 'MCP_OAUTH2' || mode === 'MCP_OAUTH2_GENERIC';
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
