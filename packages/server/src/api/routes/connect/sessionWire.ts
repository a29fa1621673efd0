import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { WorkerError } from '../../../errors';
import { checkMetadataSize } from '../../../operations/checkMetadataSize';
import { CONNECT_SESSION_TOKEN, type ConnectSession, type IntegrationFlowDefaults } from '../../../store/ConnectSessionStore';
import type { EndUser } from '../../../store/Store';
import type { ApiContext } from '../../ApiContext';
import { parseAuthorization } from '../../parseAuthorization';

const id = { type: 'string', minLength: 1, maxLength: 255 } as const;
const text = { type: 'string', maxLength: 1024 } as const;
const stringMap = { type: 'object', additionalProperties: { type: 'string', maxLength: 1024 }, maxProperties: 64 } as const;

/** JSON Schema of the parts POST /connect/sessions and /connect/sessions/reconnect share (contract C.3). */
export const SESSION_BODY_PROPERTIES = {
  end_user: {
    type: 'object',
    required: ['id'],
    properties: { id, email: text, display_name: text, tags: stringMap },
  },
  organization: { type: 'object', required: ['id'], properties: { id, display_name: text } },
  tags: stringMap,
  integrations_config_defaults: {
    type: 'object',
    maxProperties: 256,
    additionalProperties: {
      type: 'object',
      properties: {
        user_scopes: { type: 'array', items: { type: 'string', maxLength: 256 }, maxItems: 100 },
        authorization_params: stringMap,
        connection_config: { type: 'object', maxProperties: 64 },
      },
    },
  },
  overrides: { type: 'object' },
  webhook_url_override: { type: 'string', maxLength: 2048 },
} as const;

/** The shared body, as the SDK sends it. */
export interface SessionBody {
  end_user?: { id: string; email?: string; display_name?: string; tags?: Record<string, string> };
  organization?: { id: string; display_name?: string };
  tags?: Record<string, string>;
  integrations_config_defaults?: Record<
    string,
    { user_scopes?: string[]; authorization_params?: Record<string, string>; connection_config?: Record<string, unknown> }
  >;
  overrides?: Record<string, unknown>;
  webhook_url_override?: string;
}

/** A new session token: Nango's form, 256 random bits. */
export function newSessionToken(): string {
  return `nango_connect_session_${randomBytes(32).toString('hex')}`;
}

/**
 * The stored session of a request body.
 * @throws WorkerError `metadata_too_large` for a `connection_config` over NANGO_MAX_METADATA_BYTES
 */
export function sessionOf(
  context: ApiContext,
  body: SessionBody,
  extra: Pick<ConnectSession, 'allowedIntegrations' | 'reconnect'> & { endUser?: EndUser | null },
): ConnectSession {
  const organization = body.organization
    ? {
        id: body.organization.id,
        ...(body.organization.display_name !== undefined && { displayName: body.organization.display_name }),
      }
    : null;
  let endUser: EndUser | null = extra.endUser ?? null;
  if (body.end_user) {
    const given = body.end_user;
    endUser = {
      id: given.id,
      ...(given.email !== undefined && { email: given.email }),
      ...(given.display_name !== undefined && { displayName: given.display_name }),
      ...(given.tags !== undefined && { tags: given.tags }),
      organization,
    };
  }
  const defaults: Record<string, IntegrationFlowDefaults> = {};
  for (const [key, value] of Object.entries(body.integrations_config_defaults ?? {})) {
    // It becomes the new Connection's config, which is its metadata: the same cap, refused before a session exists.
    if (value.connection_config) {
      const where = `body/integrations_config_defaults/${key}/connection_config`;
      checkMetadataSize(value.connection_config, context.workerSettings.maxMetadataBytes, where);
    }
    defaults[key] = {
      ...(value.user_scopes && { userScopes: value.user_scopes }),
      ...(value.authorization_params && { authorizationParams: value.authorization_params }),
      ...(value.connection_config && { connectionConfig: value.connection_config }),
    };
  }
  const createdAt = Date.now();
  return {
    endUser,
    organization,
    tags: body.tags ?? {},
    ...(extra.allowedIntegrations !== undefined && { allowedIntegrations: extra.allowedIntegrations }),
    integrationsConfigDefaults: defaults,
    ...(extra.reconnect && { reconnect: extra.reconnect }),
    ...(body.overrides !== undefined && { overrides: body.overrides }),
    ...(body.webhook_url_override !== undefined && { webhookUrlOverride: body.webhook_url_override }),
    createdAt,
    expiresAt: createdAt + context.workerSettings.connectSessionTtlSeconds * 1000,
  };
}

/** Stores `session` under a new token; the 201 body of both session routes. */
export async function createSession(
  context: ApiContext,
  session: ConnectSession,
): Promise<{ data: { token: string; connect_link: string; expires_at: string } }> {
  const token = newSessionToken();
  await context.store.connectSessions.create(token, session);
  return {
    data: {
      token,
      connect_link: `${context.settings.serverUrl}/connect?session_token=${token}`,
      expires_at: new Date(session.expiresAt).toISOString(),
    },
  };
}

/**
 * Integration keys among `keys` that no integration has (integrations.yaml, or the database, read fresh in case
 * another process made one since this one's last refresh).
 */
export async function unknownIntegrations(context: ApiContext, keys: Iterable<string>): Promise<string[]> {
  const known = context.registry.snapshot().integrations;
  const unknown: string[] = [];
  for (const key of new Set(keys)) {
    if (!known.has(key) && (await context.registry.sourceOf(key)) === undefined) unknown.push(key);
  }
  return unknown;
}

/**
 * The live session of a request authenticated with `Authorization: Bearer <session token>`, and its token.
 * @throws WorkerError `invalid_connect_session` (401)
 */
export async function requireSession(
  context: ApiContext,
  request: FastifyRequest,
): Promise<{ token: string; session: ConnectSession }> {
  const parsed = parseAuthorization(request.headers.authorization);
  if (parsed.kind === 'malformed') {
    throw new WorkerError(
      'invalid_connect_session',
      'The Authorization header is malformed: send exactly "Bearer <connect session token>" (one space, nothing after it)',
    );
  }
  const token = parsed.kind === 'bearer' ? parsed.token : '';
  if (!CONNECT_SESSION_TOKEN.test(token)) {
    throw new WorkerError(
      'invalid_connect_session',
      'This route needs "Authorization: Bearer <connect session token>" (nango_connect_session_ and 64 hex characters)',
    );
  }
  const session = await context.store.connectSessions.get(token);
  if (!session)
    throw new WorkerError('invalid_connect_session', 'The connect session is unknown or has expired: ask the app for a new one');
  return { token, session };
}
