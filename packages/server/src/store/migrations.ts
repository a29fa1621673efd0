/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many have run. Append new ones,
 * never edit a shipped one: databases in the field have already run it.
 */
export const MIGRATIONS: readonly string[] = [
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
];
