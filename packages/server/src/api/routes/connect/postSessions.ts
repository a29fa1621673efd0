import type { FastifyInstance } from 'fastify';
import { WorkerError } from '../../../errors';
import type { ApiContext } from '../../ApiContext';
import { createSession, SESSION_BODY_PROPERTIES, sessionOf, unknownIntegrations, type SessionBody } from './sessionWire';

const schema = {
  body: {
    type: 'object',
    properties: {
      ...SESSION_BODY_PROPERTIES,
      allowed_integrations: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 255 }, maxItems: 256 },
    },
  },
} as const;

interface Body extends SessionBody {
  allowed_integrations?: string[];
}

/**
 * `POST /connect/sessions` (createConnectSession, contract C.3; secret key): 201 `{ data: { token, connect_link,
 * expires_at } }`. The token (`nango_connect_session_` + 64 hex) is stored as a hash only and lives
 * NANGO_CONNECT_SESSION_TTL_S (30 minutes). `end_user` may be omitted only when `tags` are given; every integration
 * named in `allowed_integrations` or `integrations_config_defaults` must exist.
 * @throws 400 invalid_request
 */
export function registerPostConnectSessions(app: FastifyInstance, context: ApiContext): void {
  app.post<{ Body: Body }>('/connect/sessions', { schema }, async (request, reply) => {
    const body = request.body ?? {};
    if (!body.end_user && Object.keys(body.tags ?? {}).length === 0) {
      throw new WorkerError('invalid_request', 'body/end_user is required unless tags are given');
    }
    const named = [...(body.allowed_integrations ?? []), ...Object.keys(body.integrations_config_defaults ?? {})];
    const unknown = await unknownIntegrations(context, named);
    if (unknown.length > 0) {
      throw new WorkerError('invalid_request', `Unknown integrations: ${unknown.join(', ')} (GET /config lists them)`);
    }
    const session = sessionOf(context, body, {
      ...(body.allowed_integrations !== undefined && { allowedIntegrations: [...new Set(body.allowed_integrations)] }),
    });
    return reply.code(201).send(await createSession(context, session));
  });
}
