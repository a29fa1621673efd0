import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../ApiContext';
import { credentialAuth, type CredentialAuthOptions } from './credentialAuth';

/**
 * `POST /auth/aws-sigv4/:providerConfigKey?connection_id=…|connect_session_token=…` `{ role_arn, region? }`: frontend
 * 0.71's `auth(key, id, { credentials: { type: 'AWS_SIGV4', role_arn, region } })` (contract B.4). The role is assumed
 * at once (nothing is stored when STS refuses); public: authorised by its query, as /oauth/connect.
 */
export function registerPostAwsSigV4Auth(app: FastifyInstance, context: ApiContext): void {
  app.post<{ Params: { providerConfigKey: string }; Querystring: Record<string, unknown> }>(
    '/auth/aws-sigv4/:providerConfigKey',
    { config: { public: true } },
    (request, reply) =>
      credentialAuth(
        context,
        request,
        reply,
        'AWS_SIGV4',
        (body) => ({ role_arn: body['role_arn'], ...(body['region'] !== undefined && { region: body['region'] }) }),
        AWS_SIGV4_OPTIONS,
      ),
  );
}

/**
 * The Connection's config gets the region and service it signs for, as Nango's does: the catalog's base URL
 * (`https://${connectionConfig.service}.${connectionConfig.region}.amazonaws.com`) is made of them.
 */
const AWS_SIGV4_OPTIONS: CredentialAuthOptions = {
  config(integration, body, params) {
    const given = body['region'];
    const region = typeof given === 'string' && given !== '' ? given : (params['region'] ?? integration.awsSigV4?.defaultRegion);
    const service = integration.awsSigV4?.service;
    return { ...(region !== undefined && { region }), ...(service !== undefined && { service }) };
  },
};
