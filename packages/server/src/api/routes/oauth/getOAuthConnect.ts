import type { FastifyInstance, FastifyReply } from 'fastify';
import { OAuthFlowError } from '../../../oauth/flow/OAuthFlowError';
import { parseConnectQuery, type ConnectQuery } from '../../../oauth/flow/parseConnectQuery';
import { startAppFlow } from '../../oauth/appFlow';
import { startOAuthFlow, unexpected } from '../../oauth/runOAuthFlow';
import type { ApiContext } from '../../ApiContext';
import { sendFlowResult } from '../../oauthResult';
import { failConnect, startConnect } from '../../oauth/connectOperation';
import { connectWithCredentials } from '../apiAuth/credentialAuth';
import { TBA_OPTIONS, tbaCredentialsOf } from '../apiAuth/postTbaAuth';

/**
 * No JSON schema on purpose: every problem with this request, malformed ones included, must end in the frontends'
 * callback protocol (a page or a WebSocket frame), not a JSON error the popup would show. parseConnectQuery is the
 * schema: `connection_id` (required, unless `connect_session_token` is given, which forbids it), `ws_client_id`,
 * `public_key`, `hmac`, `params[…]`, `authorization_params[…]`, `user_scope`.
 */
interface Request {
  Params: { providerConfigKey?: string };
  Querystring: Record<string, unknown>;
}

/**
 * `GET /oauth/connect/:providerConfigKey?connection_id=…` (or `?connect_session_token=…`): starts an OAuth flow and redirects (302) the popup to the
 * provider. Needs no secret key: the browser calls it.
 */
export function registerGetOAuthConnect(app: FastifyInstance, context: ApiContext): void {
  const handler = async (request: { params: Request['Params']; query: Request['Querystring'] }, reply: FastifyReply) => {
    const key = request.params.providerConfigKey ?? '';
    const wsClientId = typeof request.query['ws_client_id'] === 'string' ? request.query['ws_client_id'] : undefined;
    const connectionId = typeof request.query['connection_id'] === 'string' ? request.query['connection_id'] : undefined;
    let query: ConnectQuery;
    const startedAt = Date.now();
    try {
      if (!key)
        throw new OAuthFlowError('no_provider_config_key', 'The connect URL names no provider config key: /oauth/connect/<key>');
      query = parseConnectQuery(request.query);
    } catch (error) {
      // startOAuthFlow records the failures past this point; these come before it.
      const flowError = error instanceof OAuthFlowError ? error : unexpected(context, error);
      failConnect(startConnect(context, { name: 'oauth', integration: key || undefined, connectionId, startedAt }), flowError);
      return sendFlowResult(context, reply, { providerConfigKey: key || undefined, connectionId, wsClientId }, flowError);
    }
    if (context.registry.snapshot().integrations.get(key)?.authMode === 'TBA') {
      return connectTbaInPopup(context, reply, key, request.query, wsClientId);
    }
    try {
      // A GitHub App's flow is its install page, not an OAuth authorization (see appFlow).
      const isApp = context.registry.snapshot().integrations.get(key)?.authMode === 'APP';
      const location = await (isApp ? startAppFlow(context, key, query) : startOAuthFlow(context, key, query));
      return reply.code(302).header('location', location).header('cache-control', 'no-store').send();
    } catch (error) {
      const flowError = error instanceof OAuthFlowError ? error : unexpected(context, error);
      return sendFlowResult(context, reply, { providerConfigKey: key || undefined, connectionId, wsClientId }, flowError);
    }
  };
  const config = { public: true, ownInputChecks: true };
  app.get<Request>('/oauth/connect/:providerConfigKey', { config }, handler);
  app.get<Request>('/oauth/connect', { config }, handler);
}

/**
 * TBA through the popup: frontend 0.71 sends `token_id` and `token_secret` in /oauth/connect's query when its
 * credentials also carry an OAuth client override (`credentials[oauth_client_id_override]`, …). There is no OAuth
 * dance: the Connection is made at once, as POST /auth/tba makes it, and the popup reports it as a flow's end.
 */
async function connectTbaInPopup(
  context: ApiContext,
  reply: FastifyReply,
  providerConfigKey: string,
  query: Readonly<Record<string, unknown>>,
  wsClientId: string | undefined,
): Promise<FastifyReply> {
  const body = {
    token_id: query['token_id'],
    token_secret: query['token_secret'],
    oauth_client_id_override: query['credentials[oauth_client_id_override]'],
    oauth_client_secret_override: query['credentials[oauth_client_secret_override]'],
  };
  try {
    const made = await connectWithCredentials(context, { providerConfigKey, query, body }, 'TBA', tbaCredentialsOf, TBA_OPTIONS);
    return sendFlowResult(context, reply, { ...made, wsClientId }, undefined);
  } catch (error) {
    const connectionId = typeof query['connection_id'] === 'string' ? query['connection_id'] : undefined;
    return sendFlowResult(context, reply, { providerConfigKey, connectionId, wsClientId }, error as OAuthFlowError);
  }
}
