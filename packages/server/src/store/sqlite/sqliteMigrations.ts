/**
 * SQLite schema migrations, applied in order; `PRAGMA user_version` records how many have run. Append new ones,
 * never edit a shipped one: databases in the field have already run it.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  // 1: connections, unique per (integration, user id). That unique index also serves lookups by integration
  // (its leading column); lookups by user id get their own index.
  `CREATE TABLE connections (
     uuid              TEXT PRIMARY KEY,
     integration       TEXT NOT NULL,
     user_id           TEXT NOT NULL,
     date_created      TEXT NOT NULL,
     last_modified     TEXT NOT NULL,
     credentials       TEXT NOT NULL,
     additional_config TEXT NOT NULL,
     UNIQUE (integration, user_id)
   );
   CREATE INDEX connections_by_user_id ON connections (user_id);`,
  // 2: outcomes of calls with an idempotency key (per integration and user), and redelivery counts of requests
  // (classic queues do not count deliveries; the worker does, so a request that keeps killing workers ends).
  `CREATE TABLE idempotency (
     integration TEXT NOT NULL,
     user_id     TEXT NOT NULL,
     key         TEXT NOT NULL,
     state       TEXT NOT NULL CHECK (state IN ('running', 'done')),
     outcome     TEXT,
     lease_until INTEGER NOT NULL,
     expires_at  INTEGER NOT NULL,
     PRIMARY KEY (integration, user_id, key)
   );
   CREATE TABLE deliveries (
     id         TEXT PRIMARY KEY,
     count      INTEGER NOT NULL,
     last_seen  INTEGER NOT NULL
   );`,
  // 3: credentials encrypted at rest (key_id names the key; NULL marks a row written before encryption, which the
  // worker encrypts at start), and the OAuth state of a Connection: whether it needs the user to authorise again.
  `ALTER TABLE connections ADD COLUMN key_id TEXT;
   CREATE INDEX connections_by_key_id ON connections (key_id);
   ALTER TABLE connections ADD COLUMN auth_status TEXT NOT NULL DEFAULT 'ok';
   ALTER TABLE connections ADD COLUMN auth_error TEXT;
   ALTER TABLE connections ADD COLUMN refresh_failed_until INTEGER;
   CREATE TABLE refresh_locks (
     uuid        TEXT PRIMARY KEY,
     owner       TEXT NOT NULL,
     lease_until INTEGER NOT NULL
   );`,
  // 4: a version of each Connection's credentials, bumped on every write, so a refresh that read version N cannot
  // overwrite credentials written since (by the app, or by a sibling that took over an expired lock); and facts
  // about the database itself, such as the id of the key its credentials are encrypted with.
  `ALTER TABLE connections ADD COLUMN cred_version INTEGER NOT NULL DEFAULT 0;
   CREATE TABLE meta (
     key   TEXT PRIMARY KEY,
     value TEXT NOT NULL
   );`,
  // 5: what an idempotency key was used for (a hash of the action and its input), so reusing the key for another
  // call is refused; outcomes are kept encrypted from now on (rows from before stay readable until they expire).
  `ALTER TABLE idempotency ADD COLUMN call_hash TEXT;`,
  // 6: integrations made at run time through the /config API (the client secret encrypted like credentials, bound
  // to the row's uuid), and OAuth sessions: one per /oauth/connect, keyed by a hash of its `state`, its data (PKCE
  // verifier, OAuth 1 request token secret) encrypted, deleted when its callback uses it or once it expires.
  `CREATE TABLE integrations (
     unique_key          TEXT PRIMARY KEY,
     uuid                TEXT NOT NULL UNIQUE,
     provider            TEXT NOT NULL,
     oauth_client_id     TEXT NOT NULL,
     oauth_client_secret TEXT NOT NULL,
     key_id              TEXT NOT NULL,
     oauth_scopes        TEXT NOT NULL,
     created_at          TEXT NOT NULL,
     updated_at          TEXT NOT NULL
   );
   CREATE TABLE oauth_sessions (
     state_hash TEXT PRIMARY KEY,
     data       TEXT NOT NULL,
     key_id     TEXT NOT NULL,
     expires_at INTEGER NOT NULL
   );
   CREATE INDEX oauth_sessions_by_expiry ON oauth_sessions (expires_at);`,
  // 7: what the REST API keeps on a Connection besides its config: tags (a JSON object of strings) and the end
  // user it was made for (JSON, null when none), whose id gets a column of its own for filters.
  `ALTER TABLE connections ADD COLUMN tags TEXT NOT NULL DEFAULT '{}';
   ALTER TABLE connections ADD COLUMN end_user TEXT;
   ALTER TABLE connections ADD COLUMN end_user_id TEXT;
   CREATE INDEX connections_by_end_user_id ON connections (end_user_id);`,

  // 8: connect sessions, keyed by a SHA-256 of their token (the token itself is never stored); data is JSON.
  `CREATE TABLE connect_sessions (
     token_hash TEXT PRIMARY KEY,
     data       TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL
   );
   CREATE INDEX connect_sessions_by_expiry ON connect_sessions (expires_at);`,

  // 9: provider rate limits learned per Connection (its uuid): no call before until_ms, shared by every worker.
  `CREATE TABLE rate_limits (
     scope      TEXT PRIMARY KEY,
     until_ms   INTEGER NOT NULL,
     reason     TEXT NOT NULL,
     updated_at INTEGER NOT NULL
   );`,

  // 10: async actions (POST /action/trigger with X-Async): input and outcome sealed like credentials.
  `CREATE TABLE async_actions (
     id          TEXT PRIMARY KEY,
     integration TEXT NOT NULL,
     user_id     TEXT NOT NULL,
     action      TEXT NOT NULL,
     input       TEXT NOT NULL,
     state       TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
     attempts    INTEGER NOT NULL DEFAULT 0,
     max_retries INTEGER NOT NULL DEFAULT 0,
     outcome     TEXT,
     key_id      TEXT NOT NULL,
     lease_until INTEGER,
     created_at  INTEGER NOT NULL,
     updated_at  INTEGER NOT NULL,
     expires_at  INTEGER NOT NULL
   );
   CREATE INDEX async_actions_by_state ON async_actions (state, updated_at);`,

  // 11: the webhook outbox and delivery log: one row per (webhook, URL), delivered or retried until it is.
  `CREATE TABLE webhook_deliveries (
     id              TEXT PRIMARY KEY,
     url             TEXT NOT NULL,
     type            TEXT NOT NULL,
     body            TEXT NOT NULL,
     state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
     attempts        INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL,
     lease_until     INTEGER,
     lease_owner     TEXT,
     last_status     INTEGER,
     last_error      TEXT,
     created_at      INTEGER NOT NULL,
     updated_at      INTEGER NOT NULL
   );
   CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
   CREATE INDEX webhook_deliveries_by_created ON webhook_deliveries (created_at);`,

  // 12: what the REST API keeps on a run-time integration besides its OAuth client: a display name and free
  // settings (JSON).
  `ALTER TABLE integrations ADD COLUMN display_name TEXT;
   ALTER TABLE integrations ADD COLUMN extra TEXT NOT NULL DEFAULT '{}';`,

  // 13: records kept by syncs, per Connection (its uuid), model, variant and record id: the payload sealed like
  // credentials (key_id NULL when the integration keeps them in clear, and once pruned), a hash that tells a changed
  // payload from the same one, and a stamp in microseconds, strictly increasing per scope, that readers page on.
  `CREATE TABLE records (
     connection    TEXT NOT NULL,
     model         TEXT NOT NULL,
     variant       TEXT NOT NULL,
     id            TEXT NOT NULL,
     hash          TEXT NOT NULL,
     data          TEXT,
     key_id        TEXT,
     first_seen_at INTEGER NOT NULL,
     modified_at   INTEGER NOT NULL,
     last_action   TEXT NOT NULL CHECK (last_action IN ('ADDED', 'UPDATED', 'DELETED')),
     deleted_at    INTEGER,
     pruned_at     INTEGER,
     seen_run      TEXT NOT NULL,
     PRIMARY KEY (connection, model, variant, id)
   );
   CREATE INDEX records_by_stamp ON records (connection, model, variant, modified_at, id);
   CREATE INDEX records_by_key_id ON records (key_id);
   -- A Connection's records go with it, in the same statement, whichever door deleted it.
   CREATE TRIGGER connections_delete_records AFTER DELETE ON connections
   BEGIN
     DELETE FROM records WHERE connection = OLD.uuid;
   END;`,

  // 14: sync schedules, one per (sync, variant, Connection uuid): status, own frequency (NULL: the sync's), next run,
  // the lease of the run in flight (run_id names the claim; every write of a run is conditional on it; run_started
  // lets one worker only start it), the
  // checkpoint (JSON), a pending reset, triggers not yet served (trigger_seq > done_seq), and the last run.
  `CREATE TABLE sync_schedules (
     id                      TEXT NOT NULL UNIQUE,
     integration             TEXT NOT NULL,
     sync                    TEXT NOT NULL,
     variant                 TEXT NOT NULL,
     connection              TEXT NOT NULL,
     status                  TEXT NOT NULL CHECK (status IN ('running', 'paused')),
     frequency_ms            INTEGER,
     next_run_at             INTEGER NOT NULL,
     run_id                  TEXT,
     lease_owner             TEXT,
     lease_until             INTEGER,
     run_started             INTEGER NOT NULL DEFAULT 0,
     checkpoint              TEXT,
     reset_pending           INTEGER NOT NULL DEFAULT 0,
     full_pending            INTEGER NOT NULL DEFAULT 1,
     trigger_seq             INTEGER NOT NULL DEFAULT 0,
     done_seq                INTEGER NOT NULL DEFAULT 0,
     last_started_at         INTEGER,
     last_finished_at        INTEGER,
     last_outcome            TEXT CHECK (last_outcome IN ('success', 'failure')),
     last_error              TEXT,
     last_counts             TEXT,
     last_success_started_at INTEGER,
     created_at              INTEGER NOT NULL,
     PRIMARY KEY (connection, sync, variant)
   );
   CREATE INDEX sync_schedules_due ON sync_schedules (next_run_at);
   CREATE INDEX sync_schedules_by_integration ON sync_schedules (integration, sync);
   -- A Connection's schedules go with it, whichever door deleted it.
   CREATE TRIGGER connections_delete_sync_schedules AFTER DELETE ON connections
   BEGIN
     DELETE FROM sync_schedules WHERE connection = OLD.uuid;
   END;`,
  // 15: Connections by integration and creation time, so the sync scheduler looks only at Connections made since
  // its last look when it schedules auto_start syncs, not at every Connection each tick.
  `CREATE INDEX connections_by_created ON connections (integration, date_created);`,
  // 16: a version of each Connection's config (its metadata), bumped by every write of it, so a worker that keeps a
  // large config it read (store/ConfigCache.ts) asks for it again only once it changed.
  `ALTER TABLE connections ADD COLUMN config_version INTEGER NOT NULL DEFAULT 0;`,

  // 17: the operations log (store/OperationStore.ts). Ids sort by start time, so every listing walks an index
  // `(<filter column>, id)` newest first and stops at its page; columns most operations leave empty, and the status
  // most of them end with, are indexed only where they are not (every write pays for each index; a listing of
  // successes walks the primary key, where nine rows in ten are). `seq` numbers the full-text documents: the index
  // holds, per operation, document seq * 2^20 (name and error, replaced as they change) and seq * 2^20 + n for its
  // n-th message (text_parts counts them); contentless, so the text is stored once, in the tables, and without
  // positions (detail = none: searches are words and prefixes, never phrases), a quarter smaller. Tokens are runs of letters and digits, accents kept, as PostgreSQL's side makes them. `leases` holds
  // named leases: one process at a time prunes the log.
  `CREATE TABLE operations (
     seq           INTEGER PRIMARY KEY,
     id            TEXT NOT NULL UNIQUE,
     kind          TEXT NOT NULL,
     name          TEXT NOT NULL,
     integration   TEXT,
     connection_id TEXT,
     end_user_id   TEXT,
     status        TEXT NOT NULL,
     started_at    INTEGER NOT NULL,
     ended_at      INTEGER,
     duration_ms   INTEGER,
     error_code    TEXT,
     error_message TEXT,
     fields        TEXT NOT NULL DEFAULT '{}',
     trace_id      TEXT,
     parent_id     TEXT,
     text_parts    INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX operations_by_kind ON operations (kind, id);
   CREATE INDEX operations_by_status ON operations (status, id) WHERE status <> 'success';
   CREATE INDEX operations_by_integration ON operations (integration, id);
   CREATE INDEX operations_by_connection ON operations (connection_id, id);
   CREATE INDEX operations_by_end_user ON operations (end_user_id, id) WHERE end_user_id IS NOT NULL;
   CREATE INDEX operations_by_error_code ON operations (error_code, id) WHERE error_code IS NOT NULL;
   CREATE TABLE operation_messages (
     seq          INTEGER PRIMARY KEY,
     operation_id TEXT NOT NULL,
     at           INTEGER NOT NULL,
     level        TEXT NOT NULL,
     text         TEXT NOT NULL,
     fields       TEXT
   );
   CREATE INDEX operation_messages_by_operation ON operation_messages (operation_id, seq);
   CREATE VIRTUAL TABLE operation_search USING fts5(
     text, content = '', contentless_delete = 1, detail = none, tokenize = 'unicode61 remove_diacritics 0'
   );
   CREATE TABLE leases (
     name        TEXT PRIMARY KEY,
     owner       TEXT NOT NULL,
     lease_until INTEGER NOT NULL
   );`,
  // 18: dashboard sign-ins (store/DashboardSessionStore.ts), shared by every API process: the SHA-256 of the session
  // token (never the token), who signed in, the CSRF token their changes carry, and the expiry the sweep goes by.
  `CREATE TABLE dashboard_sessions (
     token_hash TEXT PRIMARY KEY,
     user_name  TEXT NOT NULL,
     csrf_token TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL
   );
   CREATE INDEX dashboard_sessions_by_expiry ON dashboard_sessions (expires_at);`,
  // 19: the HTTP API's own rate limit, counted across API processes (store/ApiRateCounts.ts): requests per key and
  // fixed window, each process adding what it counted every fraction of a second. Rows of past windows are swept.
  `CREATE TABLE api_rate_counts (
     rate_key     TEXT NOT NULL,
     window_start INTEGER NOT NULL,
     count        INTEGER NOT NULL,
     PRIMARY KEY (rate_key, window_start)
   );`,
  // 20: clients registered dynamically for MCP OAuth flows (store/McpClientStore.ts), one per integration,
  // authorization server and callback URL (hashed into client_key), sealed with the credential cipher.
  `CREATE TABLE mcp_clients (
     client_key  TEXT PRIMARY KEY,
     integration TEXT NOT NULL,
     data        TEXT NOT NULL,
     key_id      TEXT NOT NULL,
     created_at  TEXT NOT NULL
   );
   CREATE INDEX mcp_clients_by_integration ON mcp_clients (integration);`,

  // 21: the background check of credentials (refresh/BackgroundRefresh.ts): when a worker next looks at each
  // Connection (next_check_at, epoch ms; 0: as soon as it can, which every write of credentials sets; NULL: never,
  // once it needs the user), taken with a lease by a conditional update so one worker of many looks at each; and
  // when its credentials were last proven good, refreshed or verified (checked_at; NULL until a worker first looks at
  // new credentials). Existing rows are looked at once soon; those that need the user are left alone.
  `ALTER TABLE connections ADD COLUMN checked_at INTEGER;
   ALTER TABLE connections ADD COLUMN next_check_at INTEGER DEFAULT 0;
   UPDATE connections SET next_check_at = NULL WHERE auth_status <> 'ok';
   CREATE INDEX connections_by_next_check ON connections (next_check_at);`,

  // 22: deployments of functions by the official `nango deploy` (store/FunctionDeploymentStore.ts): one row per
  // deployment or rollback, its functions (compiled code included) as JSON; the newest row is the active one.
  `CREATE TABLE function_deployments (
     version          INTEGER PRIMARY KEY AUTOINCREMENT,
     created_at       TEXT NOT NULL,
     rolled_back_from INTEGER,
     functions        TEXT NOT NULL
   );`,

  // 23: a GitHub App's private key for CUSTOM integrations made at run time (store/IntegrationStore.ts), whose
  // oauth_client_secret is the OAuth client's: sealed like it, under the row's key_id; '' when there is none.
  `ALTER TABLE integrations ADD COLUMN app_private_key TEXT NOT NULL DEFAULT '';`,

  // 24: the secret a provider signs its webhooks with, for integrations made at run time (POST/PATCH /integrations
  // `credentials.webhook_secret`): sealed like oauth_client_secret, under the row's key_id; '' when there is none.
  `ALTER TABLE integrations ADD COLUMN webhook_secret TEXT NOT NULL DEFAULT '';`,

  // 25: what identifies the request that registered each Connection across its deliveries (a SHA-256 of its
  // correlation id and body, rpc/requestKey.ts): a redelivery of a registration already stored is answered as made,
  // not refused as connection_exists. NULL for Connections made otherwise.
  `ALTER TABLE connections ADD COLUMN registration_key TEXT;`,
];
