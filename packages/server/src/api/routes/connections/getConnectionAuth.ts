import type { FastifyInstance } from 'fastify';
import { connectionAuthorization } from '../../../operations/connectionAuthorization';
import type { ApiContext } from '../../ApiContext';
import { CONNECTION_PARAMS, PROVIDER_CONFIG_KEY } from './connectionObject';

const schema = {
  params: CONNECTION_PARAMS,
  querystring: {
    type: 'object',
    required: ['provider_config_key'],
    additionalProperties: false,
    properties: { provider_config_key: PROVIDER_CONFIG_KEY },
  },
} as const;

interface Request {
  Params: { connectionId: string };
  Querystring: { provider_config_key: string };
}

/**
 * `GET /connections/:connectionId/auth?provider_config_key=…`: the state of a Connection's authorization, never a
 * secret: `{ connection_id, provider_config_key, auth_mode, authorization, error, expires_at, refreshable,
 * created_at, updated_at }`. Nothing is refreshed, and no operation recorded: it reveals nothing.
 * @throws WorkerError `unknown_integration`, `connection_not_found` (404)
 */
export function registerGetConnectionAuth(app: FastifyInstance, context: ApiContext): void {
  app.get<Request>('/connections/:connectionId/auth', { schema }, async (request) =>
    connectionAuthorization(context.operations, request.query.provider_config_key, request.params.connectionId),
  );
}
