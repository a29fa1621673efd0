import type { CopiedTable } from './Store';

/** Each copied table's columns (as both stores name them) and primary key, for copy-store. */
export const COPIED_COLUMNS: { readonly [T in CopiedTable]: { columns: readonly string[]; key: readonly string[] } } = {
  meta: { columns: ['key', 'value'], key: ['key'] },
  connections: {
    columns: [
      'uuid',
      'integration',
      'user_id',
      'date_created',
      'last_modified',
      'credentials',
      'additional_config',
      'key_id',
      'auth_status',
      'auth_error',
      'refresh_failed_until',
      'cred_version',
      'config_version',
      'tags',
      'end_user',
      'end_user_id',
      'checked_at',
      'next_check_at',
    ],
    key: ['uuid'],
  },
  idempotency: {
    columns: ['integration', 'user_id', 'key', 'call_hash', 'state', 'outcome', 'lease_until', 'expires_at'],
    key: ['integration', 'user_id', 'key'],
  },
  integrations: {
    columns: [
      'unique_key',
      'uuid',
      'provider',
      'oauth_client_id',
      'oauth_client_secret',
      'app_private_key',
      'webhook_secret',
      'key_id',
      'oauth_scopes',
      'display_name',
      'extra',
      'created_at',
      'updated_at',
    ],
    key: ['unique_key'],
  },
  records: {
    columns: [
      'connection',
      'model',
      'variant',
      'id',
      'hash',
      'data',
      'key_id',
      'first_seen_at',
      'modified_at',
      'last_action',
      'deleted_at',
      'pruned_at',
      'seen_run',
    ],
    key: ['connection', 'model', 'variant', 'id'],
  },
  sync_schedules: {
    columns: [
      'id',
      'integration',
      'sync',
      'variant',
      'connection',
      'status',
      'frequency_ms',
      'next_run_at',
      'run_id',
      'lease_owner',
      'lease_until',
      'run_started',
      'checkpoint',
      'reset_pending',
      'full_pending',
      'trigger_seq',
      'done_seq',
      'last_started_at',
      'last_finished_at',
      'last_outcome',
      'last_error',
      'last_counts',
      'last_success_started_at',
      'created_at',
    ],
    key: ['connection', 'sync', 'variant'],
  },
};

/** The statements of a copy, one text for both databases, `?` placeholders (the page size last). */
export function copySql(table: CopiedTable) {
  const { columns, key } = COPIED_COLUMNS[table];
  const keyList = key.join(', ');
  return {
    count: `SELECT count(*) AS n FROM ${table}`,
    first: `SELECT ${columns.join(', ')} FROM ${table} ORDER BY ${keyList} LIMIT ?`,
    after: `SELECT ${columns.join(', ')} FROM ${table} WHERE (${keyList}) > (${key.map(() => '?').join(', ')})
       ORDER BY ${keyList} LIMIT ?`,
    insert: `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})
             ON CONFLICT DO NOTHING`,
  };
}
