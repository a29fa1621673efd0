/**
 * PostgreSQL schema migrations, applied in order; the `nango_schema` table records how many have run. Append new
 * ones, never edit a shipped one. The same tables and columns as SQLite's (see sqliteMigrations.ts), so
 * `copy-store` moves rows as they are; epoch milliseconds are BIGINT, timestamps ISO text as on SQLite.
 */
export const PG_MIGRATIONS: readonly string[] = [
  // 1: everything SQLite reached in its five migrations.
  `CREATE TABLE connections (
     uuid                 TEXT PRIMARY KEY,
     integration          TEXT NOT NULL,
     user_id              TEXT NOT NULL,
     date_created         TEXT NOT NULL,
     last_modified        TEXT NOT NULL,
     credentials          TEXT NOT NULL,
     additional_config    TEXT NOT NULL,
     key_id               TEXT,
     auth_status          TEXT NOT NULL DEFAULT 'ok',
     auth_error           TEXT,
     refresh_failed_until BIGINT,
     cred_version         BIGINT NOT NULL DEFAULT 0,
     CONSTRAINT connections_one_per_user UNIQUE (integration, user_id)
   );
   CREATE INDEX connections_by_user_id ON connections (user_id);
   CREATE INDEX connections_by_key_id ON connections (key_id);
   CREATE TABLE idempotency (
     integration TEXT NOT NULL,
     user_id     TEXT NOT NULL,
     key         TEXT NOT NULL,
     call_hash   TEXT,
     state       TEXT NOT NULL CHECK (state IN ('running', 'done')),
     outcome     TEXT,
     lease_until BIGINT NOT NULL,
     expires_at  BIGINT NOT NULL,
     PRIMARY KEY (integration, user_id, key)
   );
   CREATE INDEX idempotency_by_expiry ON idempotency (expires_at);
   CREATE TABLE deliveries (
     id        TEXT PRIMARY KEY,
     count     BIGINT NOT NULL,
     last_seen BIGINT NOT NULL
   );
   CREATE TABLE refresh_locks (
     uuid        TEXT PRIMARY KEY,
     owner       TEXT NOT NULL,
     lease_until BIGINT NOT NULL
   );
   CREATE TABLE meta (
     key   TEXT PRIMARY KEY,
     value TEXT NOT NULL
   );`,
  // 2: integrations made at run time through the /config API (the client secret encrypted like credentials, bound
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
     expires_at BIGINT NOT NULL
   );
   CREATE INDEX oauth_sessions_by_expiry ON oauth_sessions (expires_at);`,
  // 3: as SQLite's 7 (connection tags and end user).
  `ALTER TABLE connections ADD COLUMN tags TEXT NOT NULL DEFAULT '{}';
   ALTER TABLE connections ADD COLUMN end_user TEXT;
   ALTER TABLE connections ADD COLUMN end_user_id TEXT;
   CREATE INDEX connections_by_end_user_id ON connections (end_user_id);`,

  // 4: as SQLite's 8 (connect sessions).
  `CREATE TABLE connect_sessions (
     token_hash TEXT PRIMARY KEY,
     data       TEXT NOT NULL,
     created_at BIGINT NOT NULL,
     expires_at BIGINT NOT NULL
   );
   CREATE INDEX connect_sessions_by_expiry ON connect_sessions (expires_at);`,

  // 5: as SQLite's 9 (learned provider rate limits).
  `CREATE TABLE rate_limits (
     scope      TEXT PRIMARY KEY,
     until_ms   BIGINT NOT NULL,
     reason     TEXT NOT NULL,
     updated_at BIGINT NOT NULL
   );`,

  // 6: as SQLite's 10 (async actions).
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
     lease_until BIGINT,
     created_at  BIGINT NOT NULL,
     updated_at  BIGINT NOT NULL,
     expires_at  BIGINT NOT NULL
   );
   CREATE INDEX async_actions_by_state ON async_actions (state, updated_at);`,

  // 7: as SQLite's 11 (webhook outbox and delivery log).
  `CREATE TABLE webhook_deliveries (
     id              TEXT PRIMARY KEY,
     url             TEXT NOT NULL,
     type            TEXT NOT NULL,
     body            TEXT NOT NULL,
     state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
     attempts        INTEGER NOT NULL DEFAULT 0,
     next_attempt_at BIGINT NOT NULL,
     lease_until     BIGINT,
     lease_owner     TEXT,
     last_status     INTEGER,
     last_error      TEXT,
     created_at      BIGINT NOT NULL,
     updated_at      BIGINT NOT NULL
   );
   CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
   CREATE INDEX webhook_deliveries_by_created ON webhook_deliveries (created_at);`,

  // 8: as SQLite's 12 (integration display name and settings).
  `ALTER TABLE integrations ADD COLUMN display_name TEXT;
   ALTER TABLE integrations ADD COLUMN extra TEXT NOT NULL DEFAULT '{}';`,

  // 9: as SQLite's 13 (sync records); ids compare byte by byte, as on SQLite, so both page in the same order.
  `CREATE TABLE records (
     connection    TEXT NOT NULL,
     model         TEXT NOT NULL,
     variant       TEXT NOT NULL,
     id            TEXT COLLATE "C" NOT NULL,
     hash          TEXT NOT NULL,
     data          TEXT,
     key_id        TEXT,
     first_seen_at BIGINT NOT NULL,
     modified_at   BIGINT NOT NULL,
     last_action   TEXT NOT NULL CHECK (last_action IN ('ADDED', 'UPDATED', 'DELETED')),
     deleted_at    BIGINT,
     pruned_at     BIGINT,
     seen_run      TEXT NOT NULL,
     PRIMARY KEY (connection, model, variant, id)
   );
   CREATE INDEX records_by_stamp ON records (connection, model, variant, modified_at, id);
   CREATE INDEX records_by_key_id ON records (key_id);
   CREATE FUNCTION delete_connection_records() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     DELETE FROM records WHERE connection = OLD.uuid;
     RETURN OLD;
   END $$;
   CREATE TRIGGER connections_delete_records AFTER DELETE ON connections
     FOR EACH ROW EXECUTE FUNCTION delete_connection_records();`,

  // 10: as SQLite's 14 (sync schedules); flags are 0/1 integers as there, so copy-store moves rows either way.
  `CREATE TABLE sync_schedules (
     id                      TEXT NOT NULL UNIQUE,
     integration             TEXT NOT NULL,
     sync                    TEXT NOT NULL,
     variant                 TEXT NOT NULL,
     connection              TEXT NOT NULL,
     status                  TEXT NOT NULL CHECK (status IN ('running', 'paused')),
     frequency_ms            BIGINT,
     next_run_at             BIGINT NOT NULL,
     run_id                  TEXT,
     lease_owner             TEXT,
     lease_until             BIGINT,
     run_started             SMALLINT NOT NULL DEFAULT 0,
     checkpoint              TEXT,
     reset_pending           SMALLINT NOT NULL DEFAULT 0,
     full_pending            SMALLINT NOT NULL DEFAULT 1,
     trigger_seq             BIGINT NOT NULL DEFAULT 0,
     done_seq                BIGINT NOT NULL DEFAULT 0,
     last_started_at         BIGINT,
     last_finished_at        BIGINT,
     last_outcome            TEXT CHECK (last_outcome IN ('success', 'failure')),
     last_error              TEXT,
     last_counts             TEXT,
     last_success_started_at BIGINT,
     created_at              BIGINT NOT NULL,
     PRIMARY KEY (connection, sync, variant)
   );
   CREATE INDEX sync_schedules_due ON sync_schedules (next_run_at);
   CREATE INDEX sync_schedules_by_integration ON sync_schedules (integration, sync);
   CREATE FUNCTION delete_connection_sync_schedules() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     DELETE FROM sync_schedules WHERE connection = OLD.uuid;
     RETURN OLD;
   END $$;
   CREATE TRIGGER connections_delete_sync_schedules AFTER DELETE ON connections
     FOR EACH ROW EXECUTE FUNCTION delete_connection_sync_schedules();`,
  // 11: as SQLite's 15 (Connections by integration and creation time, for the sync scheduler).
  `CREATE INDEX connections_by_created ON connections (integration, date_created);`,
  // 12: as SQLite's 16 (a version of each Connection's config, for the config cache).
  `ALTER TABLE connections ADD COLUMN config_version BIGINT NOT NULL DEFAULT 0;`,

  // 13: as SQLite's 17 (the operations log), with the database's own full-text search: a tsvector column, generated,
  // on each operation (name and error) and each message, under a GIN index. Text is cut into runs of letters and
  // digits first, as SQLite's tokenizer does, so both find the same words. Ids compare bytewise (COLLATE "C"): they
  // sort by time only so.
  `CREATE TABLE operations (
     id            TEXT COLLATE "C" PRIMARY KEY,
     kind          TEXT NOT NULL,
     name          TEXT NOT NULL,
     integration   TEXT,
     connection_id TEXT,
     end_user_id   TEXT,
     status        TEXT NOT NULL,
     started_at    BIGINT NOT NULL,
     ended_at      BIGINT,
     duration_ms   BIGINT,
     error_code    TEXT,
     error_message TEXT,
     fields        TEXT NOT NULL DEFAULT '{}',
     trace_id      TEXT,
     parent_id     TEXT,
     search        tsvector GENERATED ALWAYS AS (to_tsvector('simple', regexp_replace(
                     name || ' ' || coalesce(error_code, '') || ' ' || coalesce(error_message, ''),
                     '[^[:alnum:]]+', ' ', 'g'))) STORED
   );
   CREATE INDEX operations_by_kind ON operations (kind, id);
   CREATE INDEX operations_by_status ON operations (status, id) WHERE status <> 'success';
   CREATE INDEX operations_by_integration ON operations (integration, id);
   CREATE INDEX operations_by_connection ON operations (connection_id, id);
   CREATE INDEX operations_by_end_user ON operations (end_user_id, id) WHERE end_user_id IS NOT NULL;
   CREATE INDEX operations_by_error_code ON operations (error_code, id) WHERE error_code IS NOT NULL;
   CREATE INDEX operations_search ON operations USING GIN (search);
   CREATE TABLE operation_messages (
     seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     operation_id TEXT COLLATE "C" NOT NULL,
     at           BIGINT NOT NULL,
     level        TEXT NOT NULL,
     text         TEXT NOT NULL,
     fields       TEXT,
     search       tsvector GENERATED ALWAYS AS (to_tsvector('simple', regexp_replace(text, '[^[:alnum:]]+', ' ', 'g'))) STORED
   );
   CREATE INDEX operation_messages_by_operation ON operation_messages (operation_id, seq);
   CREATE INDEX operation_messages_search ON operation_messages USING GIN (search);
   CREATE TABLE leases (
     name        TEXT PRIMARY KEY,
     owner       TEXT NOT NULL,
     lease_until BIGINT NOT NULL
   );`,
  // 14: as SQLite's 18 (dashboard sign-ins).
  `CREATE TABLE dashboard_sessions (
     token_hash TEXT PRIMARY KEY,
     user_name  TEXT NOT NULL,
     csrf_token TEXT NOT NULL,
     created_at BIGINT NOT NULL,
     expires_at BIGINT NOT NULL
   );
   CREATE INDEX dashboard_sessions_by_expiry ON dashboard_sessions (expires_at);`,

  // 15: PostgreSQL's own (SQLite has no server to call): a batch of sync records saved in one call, so a batch is one
  // round trip instead of six (begin, lock, stamp, read, write, commit). Its statements run in order inside the one
  // transaction of the call: the scope's advisory lock first (writers of a scope take turns, so stamps stay strictly
  // increasing), then each later statement reads a snapshot taken after the lock. Neither statement leaves the
  // planner a way to scan the whole scope, whatever its statistics say (a scope written for the first time looks
  // empty to them until the next ANALYZE): the largest stamp is the last entry of records_by_stamp, and rows are
  // matched through the primary key by ON CONFLICT. Every record in the batch gets a stamp, first_stamp plus its
  // position, but only new and changed ones keep it; unchanged ones only note the run that saw them. So a row written
  // here has a stamp of at least first_stamp, every older row has less: that is how the counts are told apart. Input
  // ids are distinct (ON CONFLICT may touch a row once).
  `CREATE FUNCTION records_save(p_connection TEXT, p_model TEXT, p_variant TEXT, p_now BIGINT, p_run TEXT,
     p_ids TEXT[], p_hashes TEXT[], p_data TEXT[], p_key_ids TEXT[],
     OUT added INTEGER, OUT updated INTEGER, OUT unchanged INTEGER)
   LANGUAGE plpgsql AS $$
   DECLARE
     first_stamp BIGINT;
   BEGIN
     PERFORM pg_advisory_xact_lock(hashtextextended('records:' || p_connection || ':' || p_model || ':' || p_variant, 0));
     SELECT GREATEST(p_now * 1000, COALESCE(MAX(last.modified_at), 0) + 1) INTO first_stamp
       FROM (SELECT r.modified_at FROM records r
             WHERE r.connection = p_connection AND r.model = p_model AND r.variant = p_variant
             ORDER BY r.modified_at DESC LIMIT 1) AS last;
     WITH written AS (
       INSERT INTO records AS r (connection, model, variant, id, hash, data, key_id, first_seen_at, modified_at,
                                 last_action, seen_run)
       SELECT p_connection, p_model, p_variant, u.id, u.hash, u.data, u.key_id, p_now, first_stamp + u.n - 1, 'ADDED', p_run
       FROM unnest(p_ids, p_hashes, p_data, p_key_ids) WITH ORDINALITY AS u(id, hash, data, key_id, n)
       ON CONFLICT (connection, model, variant, id) DO UPDATE SET
         hash = EXCLUDED.hash,
         data = CASE WHEN r.hash <> EXCLUDED.hash OR r.last_action = 'DELETED' THEN EXCLUDED.data ELSE r.data END,
         key_id = CASE WHEN r.hash <> EXCLUDED.hash OR r.last_action = 'DELETED' THEN EXCLUDED.key_id ELSE r.key_id END,
         modified_at = CASE WHEN r.hash <> EXCLUDED.hash OR r.last_action = 'DELETED' THEN EXCLUDED.modified_at
                            ELSE r.modified_at END,
         last_action = CASE WHEN r.last_action = 'DELETED' THEN 'ADDED' WHEN r.hash <> EXCLUDED.hash THEN 'UPDATED'
                            ELSE r.last_action END,
         deleted_at = CASE WHEN r.hash <> EXCLUDED.hash OR r.last_action = 'DELETED' THEN NULL ELSE r.deleted_at END,
         pruned_at = CASE WHEN r.hash <> EXCLUDED.hash OR r.last_action = 'DELETED' THEN NULL ELSE r.pruned_at END,
         seen_run = EXCLUDED.seen_run
       RETURNING r.modified_at, r.last_action
     )
     SELECT count(*) FILTER (WHERE w.modified_at >= first_stamp AND w.last_action = 'ADDED'),
            count(*) FILTER (WHERE w.modified_at >= first_stamp AND w.last_action = 'UPDATED'),
            count(*) FILTER (WHERE w.modified_at < first_stamp)
       INTO added, updated, unchanged
       FROM written w;
   END $$;`,
  // 16: as SQLite's 19 (the HTTP API's rate limit counted across API processes).
  `CREATE TABLE api_rate_counts (
     rate_key     TEXT NOT NULL,
     window_start BIGINT NOT NULL,
     count        BIGINT NOT NULL,
     PRIMARY KEY (rate_key, window_start)
   );`,
  // 17: as SQLite's 20 (clients registered dynamically for MCP OAuth flows).
  `CREATE TABLE mcp_clients (
     client_key  TEXT PRIMARY KEY,
     integration TEXT NOT NULL,
     data        TEXT NOT NULL,
     key_id      TEXT NOT NULL,
     created_at  TEXT NOT NULL
   );
   CREATE INDEX mcp_clients_by_integration ON mcp_clients (integration);`,

  // 18: as SQLite's 21 (the background check of credentials: when each Connection is next looked at, and when its
  // credentials were last proven good).
  `ALTER TABLE connections ADD COLUMN checked_at BIGINT;
   ALTER TABLE connections ADD COLUMN next_check_at BIGINT DEFAULT 0;
   UPDATE connections SET next_check_at = NULL WHERE auth_status <> 'ok';
   CREATE INDEX connections_by_next_check ON connections (next_check_at);`,

  // 19: as SQLite's 22 (deployments of functions by the official `nango deploy`; the newest row is the active one).
  `CREATE TABLE function_deployments (
     version          BIGSERIAL PRIMARY KEY,
     created_at       TEXT NOT NULL,
     rolled_back_from BIGINT,
     functions        TEXT NOT NULL
   );`,

  // 20: as SQLite's 23 (a GitHub App's private key for CUSTOM integrations, sealed like oauth_client_secret).
  `ALTER TABLE integrations ADD COLUMN app_private_key TEXT NOT NULL DEFAULT '';`,

  // 21: as SQLite's 24 (the webhook secret of integrations made at run time, sealed like oauth_client_secret).
  `ALTER TABLE integrations ADD COLUMN webhook_secret TEXT NOT NULL DEFAULT '';`,

  // 22: as SQLite's 25 (the key of the request that registered each Connection, to know its redelivery).
  `ALTER TABLE connections ADD COLUMN registration_key TEXT;`,
];
