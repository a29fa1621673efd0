import type { FastifyInstance } from 'fastify';
import { connectionNotFound, WorkerError } from '../../../errors';
import { recordChange } from '../../../operations/recordChange';
import { updateMetadata } from '../../../operations/updateMetadata';
import type { ConnectionAttributes, EndUser } from '../../../store/Store';
import type { ApiContext } from '../../ApiContext';
import { CONNECTION_PARAMS, KEY_QUERY } from './connectionObject';

const shortText = { type: 'string', maxLength: 255 } as const;
/** Tags: at most 64, keys of 1 to 64 characters, text values (contract C.3 createConnectSession has the same). */
export const TAGS_SCHEMA = {
  type: 'object',
  maxProperties: 64,
  propertyNames: { minLength: 1, maxLength: 64 },
  additionalProperties: shortText,
} as const;
/** An end user as the API takes it (snake case, contract C.3). */
export const END_USER_SCHEMA = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 255 },
    email: shortText,
    display_name: shortText,
    tags: TAGS_SCHEMA,
    organization: {
      type: ['object', 'null'],
      required: ['id'],
      additionalProperties: false,
      properties: { id: { type: 'string', minLength: 1, maxLength: 255 }, display_name: shortText },
    },
  },
} as const;

const schema = {
  params: CONNECTION_PARAMS,
  querystring: KEY_QUERY,
  body: {
    type: 'object',
    additionalProperties: false,
    properties: {
      end_user: { anyOf: [END_USER_SCHEMA, { type: 'null' }] },
      tags: TAGS_SCHEMA,
      webhook_url_override: { type: ['string', 'null'], maxLength: 2048 },
      metadata: { type: 'object' },
    },
  },
} as const;

/** An end user as the API sends it. */
export interface EndUserBody {
  id: string;
  email?: string;
  display_name?: string;
  tags?: Record<string, string>;
  organization?: { id: string; display_name?: string } | null;
}

interface Body {
  end_user?: EndUserBody | null;
  tags?: Record<string, string>;
  webhook_url_override?: string | null;
  metadata?: Record<string, unknown>;
}

/** The stored form of an end user of a request body. */
export function endUserOf(body: EndUserBody): EndUser {
  return {
    id: body.id,
    ...(body.email !== undefined && { email: body.email }),
    ...(body.display_name !== undefined && { displayName: body.display_name }),
    ...(body.tags !== undefined && { tags: body.tags }),
    ...(body.organization !== undefined && {
      organization: body.organization && {
        id: body.organization.id,
        ...(body.organization.display_name !== undefined && { displayName: body.organization.display_name }),
      },
    }),
  };
}

/**
 * `PATCH /connections/:connectionId?provider_config_key=…` (node SDK 0.71 patchConnection): replaces the Connection's
 * `tags` and/or `end_user` (each as a whole; `end_user: null` removes it). `metadata`, which spec 5 says this method
 * updates and the 0.71 SDK does not send, is merged into the metadata like PATCH /connections/metadata (shallow).
 * `webhook_url_override` is refused unless null: webhooks go to NANGO_WEBHOOK_URL. 200 `{ success: true }`; 404
 * connection_not_found; 400 invalid_request naming any unknown or malformed field; 400 metadata_too_large (nothing
 * changed).
 */
export function registerPatchConnection(app: FastifyInstance, context: ApiContext): void {
  app.patch<{ Params: { connectionId: string }; Querystring: { provider_config_key: string }; Body: Body | undefined }>(
    '/connections/:connectionId',
    { schema },
    async (request) => {
      const integration = request.query.provider_config_key;
      const userId = request.params.connectionId;
      const body = request.body ?? {};
      if (typeof body.webhook_url_override === 'string') {
        throw new WorkerError(
          'invalid_request',
          'body/webhook_url_override is not supported: this server sends every webhook to NANGO_WEBHOOK_URL (and NANGO_WEBHOOK_SECONDARY_URL)',
        );
      }
      // Metadata first: it is what may be refused (metadata_too_large), and then nothing else may have changed.
      if (body.metadata !== undefined) {
        await updateMetadata(context.operations, {
          type: 'updateMetadata',
          integration,
          userIds: [userId],
          metadata: body.metadata,
        });
      }
      const change: Partial<ConnectionAttributes> = {};
      if (body.tags !== undefined) change.tags = body.tags;
      if (body.end_user !== undefined) change.endUser = body.end_user && endUserOf(body.end_user);
      const startedAt = Date.now();
      // A change of tags or end user is a `connection` operation (change `attributes`); metadata records its own.
      const changed = Object.keys(change).length > 0;
      const record = (error?: unknown) =>
        changed &&
        recordChange(
          context.operations.log,
          { integration, userId, name: 'updated', fields: { change: 'attributes' }, endUserId: change.endUser?.id },
          startedAt,
          error,
        );
      try {
        const found = changed
          ? await context.store.connections.setAttributes(integration, userId, change)
          : (await context.store.connections.attributes(integration, userId)) !== undefined;
        if (!found) throw connectionNotFound(integration, userId);
      } catch (error) {
        record(error);
        throw error;
      }
      record();
      return { success: true };
    },
  );
}
