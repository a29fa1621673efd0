import type { FastifyInstance } from 'fastify';
import { WorkerError } from '../../../errors';
import type { ConnectionFilter } from '../../../store/Store';
import type { ApiContext } from '../../ApiContext';
import { CONNECTION_ID, listItem } from './connectionObject';
import { integerIn } from '../../integerIn';

/** Replies hold at most this many Connections when no limit is given; a given limit may be at most MAX_LIMIT. */
export const DEFAULT_LIMIT = 10_000;
export const MAX_LIMIT = 2000;
const MAX_TAGS = 64;

const text = { type: 'string', minLength: 1, maxLength: 255 } as const;
const schema = {
  querystring: {
    type: 'object',
    properties: {
      connectionId: CONNECTION_ID,
      search: { type: 'string', maxLength: 255 },
      endUserId: text,
      endUserOrganizationId: text,
      integrationId: { type: 'string', minLength: 1, maxLength: 4096 },
      authorization: { type: 'string', enum: ['ok', 'needs_reauthorization'] },
      limit: integerIn(1, MAX_LIMIT),
      page: integerIn(0, 1_000_000),
    },
  },
} as const;

interface Query {
  connectionId?: string;
  search?: string;
  endUserId?: string;
  endUserOrganizationId?: string;
  integrationId?: string;
  authorization?: 'ok' | 'needs_reauthorization';
  limit?: number;
  page?: number;
  [other: string]: unknown;
}

/**
 * `GET /connections` (node SDK 0.71 listConnections and waitForConnection, contract C.3): `{ connections: [...] }`
 * matching every filter given: `connectionId` (exact), `search` (a case-insensitive substring of the connection id
 * or the end user's id, email or display name), `endUserId` (the end user's id or the tag `end_user_id`),
 * `endUserOrganizationId`, `integrationId` (a comma-separated list: any of them), `authorization` (`ok`, or
 * `needs_reauthorization` for those whose refresh token the provider rejected), `tags[<key>]=<value>` (each one,
 * keys compared lower-cased), `limit` (1 to 2000; default 10000) and `page` (0-based, of `limit` each), ordered by
 * integration then connection id. Never credentials; nothing is refreshed.
 */
export function registerListConnections(app: FastifyInstance, context: ApiContext): void {
  app.get<{ Querystring: Query }>('/connections', { schema }, async (request) => {
    const query = request.query;
    const filter: ConnectionFilter = {};
    if (query.connectionId !== undefined) filter.userId = query.connectionId;
    if (query.search !== undefined && query.search !== '') filter.search = query.search;
    if (query.endUserId !== undefined) filter.endUserId = query.endUserId;
    if (query.endUserOrganizationId !== undefined) filter.endUserOrganizationId = query.endUserOrganizationId;
    if (query.authorization !== undefined) filter.authorization = query.authorization;
    if (query.integrationId !== undefined) {
      const integrations = query.integrationId
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean);
      if (integrations.length === 0) throw new WorkerError('invalid_request', 'querystring/integrationId names no integration');
      filter.integrations = integrations;
    }
    const tags = tagsOf(query);
    if (tags) filter.tags = tags;
    const limit = query.limit ?? DEFAULT_LIMIT;
    filter.limit = limit;
    filter.offset = (query.page ?? 0) * limit;
    const found = await context.store.connections.search(filter);
    return { connections: found.map((listing) => listItem(context.operations, listing)) };
  });
}

/** The `tags[<key>]=<value>` parameters (the SDK's encoding of its tags filter), or undefined when none. */
function tagsOf(query: Query): Record<string, string> | undefined {
  const tags: Record<string, string> = {};
  let count = 0;
  for (const [name, value] of Object.entries(query)) {
    const match = /^tags\[(.*)\]$/.exec(name);
    if (!match) continue;
    const key = match[1] ?? '';
    if (key === '' || key.length > 64)
      throw new WorkerError('invalid_request', `querystring/${name}: a tag key is 1 to 64 characters`);
    if (typeof value !== 'string' || value.length > 255) {
      throw new WorkerError('invalid_request', `querystring/${name} must be given once, as text of at most 255 characters`);
    }
    if (++count > MAX_TAGS) throw new WorkerError('invalid_request', `querystring: at most ${MAX_TAGS} tags[...] filters`);
    tags[key.toLowerCase()] = value;
  }
  return count > 0 ? tags : undefined;
}
