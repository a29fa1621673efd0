import type { MessageType } from './messages';

/**
 * JSON Schemas (draft-07, as ajv reads them) for every request, keyed by `type`. The worker compiles them once
 * at start. Names are restricted to a safe alphabet because integration and action names become folder and
 * file names.
 */
const name = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' } as const;

/**
 * The most characters (code points, as JSON Schema counts them) a Connection id (a user id) may have, at every door:
 * these messages, every HTTP route and path, the OAuth and /api-auth flows, connect sessions.
 */
export const MAX_CONNECTION_ID_LENGTH = 255;

/** JSON Schema of a Connection id: the HTTP routes use it too, so that every door has the same limit. */
export const CONNECTION_ID_SCHEMA = { type: 'string', minLength: 1, maxLength: MAX_CONNECTION_ID_LENGTH } as const;

const userId = CONNECTION_ID_SCHEMA;
/** An idempotency key: its own limit, 1 to 256 characters (older than the Connection id limit, and documented). */
const idempotencyKey = { type: 'string', minLength: 1, maxLength: 256 } as const;
const jsonObject = { type: 'object' } as const;
const flag = { type: 'boolean' } as const;
/** One user id or more, for the calls that change several Connections at once. */
const userIds = { type: 'array', items: userId, minItems: 1 } as const;

function message(type: MessageType, properties: Record<string, object>, required: string[]): object {
  return {
    $id: `nango:${type}`,
    type: 'object',
    properties: { type: { const: type }, ...properties },
    required: ['type', ...required],
    additionalProperties: false,
  };
}

export const MESSAGE_SCHEMAS: Readonly<Record<MessageType, object>> = {
  registerConnection: message(
    'registerConnection',
    { integration: name, userId, credentials: jsonObject, additionalConfig: jsonObject },
    ['integration', 'userId', 'credentials'],
  ),
  updateConnectionConfig: message('updateConnectionConfig', { integration: name, userId, additionalConfig: jsonObject }, [
    'integration',
    'userId',
    'additionalConfig',
  ]),
  updateConnectionCredentials: message('updateConnectionCredentials', { integration: name, userId, credentials: jsonObject }, [
    'integration',
    'userId',
    'credentials',
  ]),
  getConnectionsForUserId: message('getConnectionsForUserId', { userId }, ['userId']),
  getConnectionsForIntegration: message('getConnectionsForIntegration', { integration: name }, ['integration']),
  triggerAction: message('triggerAction', { integration: name, action: name, userId, input: jsonObject, idempotencyKey }, [
    'integration',
    'action',
    'userId',
  ]),
  getToken: message('getToken', { integration: name, userId, forceRefresh: flag }, ['integration', 'userId']),
  getRawTokenResponse: message('getRawTokenResponse', { integration: name, userId }, ['integration', 'userId']),
  getConnection: message('getConnection', { integration: name, userId, forceRefresh: flag, refreshToken: flag }, [
    'integration',
    'userId',
  ]),
  listConnections: message('listConnections', { userId }, []),
  deleteConnection: message('deleteConnection', { integration: name, userId }, ['integration', 'userId']),
  getMetadata: message('getMetadata', { integration: name, userId }, ['integration', 'userId']),
  setMetadata: message('setMetadata', { integration: name, userIds, metadata: jsonObject }, [
    'integration',
    'userIds',
    'metadata',
  ]),
  updateMetadata: message('updateMetadata', { integration: name, userIds, metadata: jsonObject }, [
    'integration',
    'userIds',
    'metadata',
  ]),
};
