import type { AuthMode, NangoConnection } from '@nangohq/protocol';

/** The `credentials.type` of each auth mode, as the official SDKs read it (contract C.1, C.3.1). */
export const CREDENTIALS_TYPE: Readonly<Record<AuthMode, string>> = {
  OAUTH2: 'OAUTH2',
  OAUTH1: 'OAUTH1',
  API_KEY: 'API_KEY',
  USERNAME_PASSWORD: 'BASIC',
};

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
 * The reply shape of one Connection: ids in snake case, `credentials.type` from the integration's auth mode, and
 * for API keys also the `apiKey` field modern SDKs read. `connection_config` and `metadata` are both the
 * Connection's additionalConfig: this worker keeps one per-Connection object for both.
 */
export function connectionReply(connection: NangoConnection, authMode: AuthMode): ConnectionReply {
  const credentials: ConnectionReply['credentials'] = { type: CREDENTIALS_TYPE[authMode], ...connection.credentials };
  if (authMode === 'API_KEY') credentials['apiKey'] = connection.credentials['api_key'];
  return {
    id: connection.uuid,
    created_at: connection.dateCreated,
    updated_at: connection.lastModified,
    provider_config_key: connection.integration,
    connection_id: connection.userId,
    credentials,
    connection_config: connection.additionalConfig,
    metadata: connection.additionalConfig,
  };
}
