import { createHash } from 'node:crypto';
import type { CredentialCipher } from '../../encryption/CredentialCipher';
import type { RegisteredClient } from '../McpClientStore';
import type { McpClientKey, McpClientStore } from '../McpClientStore';
import type { SqlRunner } from './SqlRunner';

/** The statements of the mcp_clients table, by name: one text for both databases, `?` placeholders. */
export const MCP_CLIENT_SQL = {
  get: 'SELECT data FROM mcp_clients WHERE client_key = ?',
  /** SQLite and PostgreSQL write this upsert alike: two flows registering at once leave the last one's client. */
  put:
    'INSERT INTO mcp_clients (client_key, integration, data, key_id, created_at) VALUES (?, ?, ?, ?, ?) ' +
    'ON CONFLICT (client_key) DO UPDATE SET data = excluded.data, key_id = excluded.key_id, created_at = excluded.created_at',
  deleteIntegration: 'DELETE FROM mcp_clients WHERE integration = ?',
  dropSealedWithOtherKeys: 'DELETE FROM mcp_clients WHERE key_id != ?',
} as const;

/** Registered MCP clients (see McpClientStore) in SQL both databases run. */
export class SqlMcpClientStore implements McpClientStore {
  constructor(
    private readonly db: SqlRunner,
    private readonly cipher: CredentialCipher,
  ) {}

  async get(key: McpClientKey): Promise<RegisteredClient | undefined> {
    const id = keyOf(key);
    const row = await this.db.get<{ data: string }>(MCP_CLIENT_SQL.get, [id]);
    return row ? (JSON.parse(this.cipher.open(row.data, id)) as RegisteredClient) : undefined;
  }

  async put(key: McpClientKey, client: RegisteredClient): Promise<void> {
    const id = keyOf(key);
    const sealed = this.cipher.seal(JSON.stringify(client), id);
    await this.db.run(MCP_CLIENT_SQL.put, [id, key.integration, sealed.text, sealed.keyId, new Date().toISOString()]);
  }

  async deleteIntegration(integration: string): Promise<void> {
    await this.db.run(MCP_CLIENT_SQL.deleteIntegration, [integration]);
  }

  async dropSealedWithOtherKeys(keyId: string): Promise<void> {
    await this.db.run(MCP_CLIENT_SQL.dropSealedWithOtherKeys, [keyId]);
  }
}

/** One row per key: a hash of its parts, so issuers and callback URLs of any length make a fixed-size key. */
function keyOf(key: McpClientKey): string {
  return createHash('sha256')
    .update(JSON.stringify([key.integration, key.issuer, key.redirectUri]))
    .digest('hex');
}
