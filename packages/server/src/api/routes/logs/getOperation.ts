import type { FastifyInstance } from 'fastify';
import { WorkerError } from '../../../errors';
import { isOperationId } from '../../../store/operationIds';
import type { ApiContext } from '../../ApiContext';
import { messageWire, operationWire } from './operationWire';

/** Messages per page when no limit is given, and the most a page holds. */
const DEFAULT_MESSAGES = 100;
const MAX_MESSAGES = 1000;

const schema = {
  params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } },
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      messagesLimit: { type: 'integer', minimum: 1, maximum: MAX_MESSAGES, default: DEFAULT_MESSAGES },
      messagesCursor: { type: 'string', minLength: 1, maxLength: 100 },
    },
  },
} as const;

interface Request {
  Params: { id: string };
  Querystring: { messagesLimit: number; messagesCursor?: string };
}

/**
 * `GET /logs/operations/:id?messagesLimit&messagesCursor`: one operation with its messages, oldest first:
 * `{ operation, messages: [{ at, level, text, fields? }], next_messages_cursor }` (null when there are no more).
 * @throws WorkerError `invalid_request` (400) for a malformed id or cursor, `not_found` (404)
 */
export function registerGetOperation(app: FastifyInstance, context: ApiContext): void {
  app.get<Request>('/logs/operations/:id', { schema }, async (request) => {
    const { id } = request.params;
    if (!isOperationId(id)) {
      throw new WorkerError('invalid_request', `params/id '${id}' is not an operation id (26 letters and digits)`);
    }
    const { messagesLimit, messagesCursor } = request.query;
    const after = messagesCursor === undefined ? undefined : Buffer.from(messagesCursor, 'base64url').toString();
    if (after !== undefined && !/^\d{1,15}$/.test(after)) {
      throw new WorkerError('invalid_request', 'querystring/messagesCursor is not a cursor this API gave: pass it as it is');
    }
    const operation = await context.store.operations.get(id);
    if (!operation) {
      throw new WorkerError('not_found', `No operation '${id}': it never existed here, or retention pruned it`);
    }
    const page = await context.store.operations.messages(id, { limit: messagesLimit, after });
    return {
      operation: operationWire(operation),
      messages: page.messages.map(messageWire),
      next_messages_cursor: page.next === null ? null : Buffer.from(page.next).toString('base64url'),
    };
  });
}
