import type { FastifyInstance } from 'fastify';
import { finishOAuthFlow } from '../../oauth/runOAuthFlow';
import type { ApiContext } from '../../ApiContext';
import { sendFlowResult } from '../../oauthResult';

/**
 * `GET /oauth/callback?state=…&code=…` (OAuth 2; or `error=…` when the user denied access) and
 * `?state=…&oauth_token=…&oauth_verifier=…` (or `denied=…`, OAuth 1.0a): the provider's redirect back. No JSON
 * schema: whatever arrives ends in the callback protocol. Needs no secret key.
 */
export function registerGetOAuthCallback(app: FastifyInstance, context: ApiContext): void {
  app.get<{ Querystring: Record<string, unknown> }>(
    '/oauth/callback',
    { config: { public: true, ownInputChecks: true } },
    async (request, reply) => {
      const outcome = await finishOAuthFlow(context, request.query);
      // A callback that is not the flow's own (it may come from anyone who learnt the state) hears only of itself.
      const session = outcome.toOwner ? outcome.session : undefined;
      const parties = {
        providerConfigKey: session?.providerConfigKey,
        connectionId: session?.connectionId,
        wsClientId: session?.wsClientId,
      };
      return sendFlowResult(context, reply, parties, outcome.error);
    },
  );
}
