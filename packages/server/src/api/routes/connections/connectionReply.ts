import type { AuthMode, NangoConnection } from '@nangohq/protocol';
import { catalogModeOf } from '../../../config/authModeNames';
import { jsonWithConfig } from '../../../store/storedConfig';

/** A Connection as `GET /connection/:connectionId` answers it (contract C.1–C.2, spec 3's example). */
export interface ConnectionReply {
  id: string;
  created_at: string;
  updated_at: string;
  provider_config_key: string;
  connection_id: string;
  credentials: Record<string, unknown> & { type: string };
  connection_config: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

/**
 * The JSON of one Connection's reply: ids in snake case, `credentials.type` from the integration's auth mode, and for
 * API keys also the `apiKey` field modern SDKs read, then `extra` (the fields of contract C.3.1). `connection_config`
 * and `metadata` are both the Connection's additionalConfig (this worker keeps one per-Connection object for both),
 * spliced in as stored: a large config is neither parsed nor encoded again for each read (see storedConfig).
 */
export function connectionReplyJson(
  connection: NangoConnection,
  authMode: AuthMode,
  extra: Record<string, unknown> = {},
): string {
  const credentials: ConnectionReply['credentials'] = { type: replyType(authMode), ...connection.credentials };
  if (authMode === 'API_KEY') credentials['apiKey'] = connection.credentials['api_key'];
  const fields: Omit<ConnectionReply, 'connection_config' | 'metadata'> = {
    id: connection.uuid,
    created_at: connection.dateCreated,
    updated_at: connection.lastModified,
    provider_config_key: connection.integration,
    connection_id: connection.userId,
    credentials,
  };
  return jsonWithConfig({ ...fields, ...extra }, connection, ['connection_config', 'metadata']);
}

/**
 * `credentials.type` of a reply: the catalog's name of the mode, but OAUTH2 for MCP OAuth, whose credentials are
 * OAuth 2 ones (`@nangohq/types` has no MCP credentials type: Nango answers these Connections as OAUTH2).
 */
function replyType(authMode: AuthMode): string {
  return authMode === 'MCP_OAUTH2' || authMode === 'MCP_OAUTH2_GENERIC' ? 'OAUTH2' : catalogModeOf(authMode);
}
