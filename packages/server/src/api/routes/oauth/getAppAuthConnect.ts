import type { FastifyInstance } from 'fastify';
import { APP_CALLBACK_PATH, finishAppFlow } from '../../oauth/appFlow';
import type { ApiContext } from '../../ApiContext';
import { sendFlowResult } from '../../oauthResult';

/**
 * `GET /app-auth/connect?installation_id=…&setup_action=install&state=…`: GitHub's redirect after a GitHub App was
 * installed (the app's "Setup URL", as Nango names it). Ends the flow /oauth/connect started in the frontends'
 * protocol (WebSocket frame and page). No JSON schema: whatever arrives ends in that protocol. Needs no secret key.
 */
export function registerGetAppAuthConnect(app: FastifyInstance, context: ApiContext): void {
  app.get<{ Querystring: Record<string, unknown> }>(
    APP_CALLBACK_PATH,
    { config: { public: true, ownInputChecks: true } },
    async (request, reply) => {
      const outcome = await finishAppFlow(context, request.query);
      // A callback that is not the flow's own (anyone who learnt the state) hears only of itself.
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
