import type { FastifyInstance } from 'fastify';
import { setMetadata } from '../../../operations/setMetadata';
import { updateMetadata } from '../../../operations/updateMetadata';
import type { ApiContext } from '../../ApiContext';
import { CONNECTION_ID, PROVIDER_CONFIG_KEY } from './connectionObject';

/** Most Connections one metadata call may change. */
export const MAX_METADATA_CONNECTIONS = 1000;

/** The body of POST and PATCH /connections/metadata (node SDK 0.71 setMetadata / updateMetadata). */
export const METADATA_BODY_SCHEMA = {
  type: 'object',
  required: ['connection_id', 'provider_config_key', 'metadata'],
  properties: {
    connection_id: {
      anyOf: [CONNECTION_ID, { type: 'array', items: CONNECTION_ID, minItems: 1, maxItems: MAX_METADATA_CONNECTIONS }],
    },
    provider_config_key: PROVIDER_CONFIG_KEY,
    metadata: { type: 'object' },
  },
} as const;

export interface MetadataBody {
  connection_id: string | string[];
  provider_config_key: string;
  metadata: Record<string, unknown>;
}

/** The user ids of a body: one id or a list. */
export function userIdsOf(body: MetadataBody): string[] {
  return Array.isArray(body.connection_id) ? body.connection_id : [body.connection_id];
}

/**
 * `POST /connections/metadata`: replaces the metadata (the Connection's additionalConfig, what the RPC side's
 * getMetadata and actions see) of one Connection or several, all or none; 201 with the request body echoed
 * (contract C.3), 404 connection_not_found naming every missing id. The same operation as the setMetadata message.
 */
export function registerPostConnectionMetadata(app: FastifyInstance, context: ApiContext): void {
  app.post<{ Body: MetadataBody }>(
    '/connections/metadata',
    { schema: { body: METADATA_BODY_SCHEMA } },
    async (request, reply) => {
      const body = request.body;
      await setMetadata(context.operations, {
        type: 'setMetadata',
        integration: body.provider_config_key,
        userIds: userIdsOf(body),
        metadata: body.metadata,
      });
      return reply.code(201).send(body);
    },
  );
}

/**
 * `PATCH /connections/metadata`: merges the given top-level keys into the metadata of one Connection or several
 * (shallow), all or none; 200 with the request body echoed, 404 connection_not_found. The updateMetadata operation.
 */
export function registerPatchConnectionMetadata(app: FastifyInstance, context: ApiContext): void {
  app.patch<{ Body: MetadataBody }>('/connections/metadata', { schema: { body: METADATA_BODY_SCHEMA } }, async (request) => {
    const body = request.body;
    await updateMetadata(context.operations, {
      type: 'updateMetadata',
      integration: body.provider_config_key,
      userIds: userIdsOf(body),
      metadata: body.metadata,
    });
    return body;
  });
}
