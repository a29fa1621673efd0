import type { NangoConnection } from '@nangohq/protocol';
import { request, type ClientSettings } from '../ApiClient';

/** The fields of `GET /connection/:id` a dry run reads (the server's reply has more). */
interface ConnectionReply {
  id: string;
  created_at: string;
  updated_at: string;
  provider_config_key: string;
  connection_id: string;
  credentials: Record<string, unknown>;
  metadata?: Record<string, unknown> | null;
  errors?: { type: string; message?: string }[];
}

/**
 * A Connection with fresh credentials, read from the server with the secret key (refreshed there first when due),
 * in the shape an action's getCurrentConnection() gives.
 * @throws CliError the server's own message for an unknown Connection or integration, or the server unreachable
 */
export async function fetchConnection(settings: ClientSettings, integration: string, userId: string): Promise<NangoConnection> {
  const path = `/connection/${encodeURIComponent(userId)}?provider_config_key=${encodeURIComponent(integration)}`;
  const reply = (await request(settings, 'GET', path)) as ConnectionReply;
  // `type` and `apiKey` are the reply's additions for Nango's SDKs: the worker's Connection has neither.
  const credentials = { ...reply.credentials };
  delete credentials['type'];
  delete credentials['apiKey'];
  const authError = reply.errors?.find((error) => error.type === 'auth');
  return {
    uuid: reply.id,
    integration: reply.provider_config_key,
    userId: reply.connection_id,
    dateCreated: reply.created_at,
    lastModified: reply.updated_at,
    additionalConfig: reply.metadata ?? {},
    authorization: authError ? 'needs_reauthorization' : 'ok',
    ...(authError?.message !== undefined && { authorizationError: authError.message }),
    credentials: { ...credentials, raw: (credentials['raw'] as Record<string, unknown> | undefined) ?? {} },
  };
}
