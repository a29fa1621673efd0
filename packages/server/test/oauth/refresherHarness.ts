/**
 * What the refresher tests share: a real OAuth 2 authorization server (oauth2-mock-server, see authServerProcess.mjs)
 * and a real SQLite file per test, stores on it as worker processes would have, and checks that no token or secret
 * reaches an error message or a log line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NangoConnection } from '@nangohq/protocol';
import { parseIntegrationsConfig } from '../../src/config/loadIntegrationsConfig';
import type { IntegrationConfig } from '../../src/config/types';
import { normaliseCredentials } from '../../src/authModes/normaliseCredentials';
import { createLogger } from '../../src/logger';
import { CredentialRefresher } from '../../src/refresh/CredentialRefresher';
import type { RefresherOptions } from '../../src/refresh/RefresherOptions';
import { PgStore } from '../../src/store/postgres/PgStore';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore';
import type { ConnectionStore, Store } from '../../src/store/Store';
import { createTestDatabase, type TestDatabase } from '../helpers/pgDatabase';
import { testCipher } from '../helpers/testCipher';
import { AuthServer, CLIENT_ID, CLIENT_SECRET } from './authServer';

/**
 * Short timings, so that retries, cool-downs and leases run out within a test, yet long enough that a busy machine
 * (the whole suite runs on 2 cores beside a broker) does not outrun them: a 400 ms cool-down once did.
 */
export const FAST: Partial<RefresherOptions> = {
  requestTimeoutMs: 1_500,
  backoffMs: 20,
  cooldownMs: 2_000,
  leaseMs: 6_000,
  lockPollMs: 10,
  lockWaitMs: 2_000,
};
export const OLD = { access_token: 'old-access-token', refresh_token: 'old-refresh-token' };
/** What must never show in an error message or a log line. */
export const SECRETS = [OLD.access_token, OLD.refresh_token, CLIENT_SECRET];

export interface RefresherHarness {
  /** This test's authorization server. */
  readonly auth: AuthServer;
  /** Every log line of this test's refreshers. */
  readonly logs: string[];
  /** A store on this test's database, with a refresher of its own, as one worker process has. */
  readonly worker: (
    options?: Partial<RefresherOptions>,
  ) => Promise<{ store: ConnectionStore; all: Store; refresher: CredentialRefresher }>;
  /** The acme integration as integrations.yaml would declare it, `oauth` added to its oauth section. */
  readonly acme: (oauth?: string) => IntegrationConfig;
  /** Registers user u1's Connection as registerConnection would; by default its token expires within the margin. */
  readonly register: (store: ConnectionStore, raw?: Record<string, unknown>) => Promise<NangoConnection>;
}

/** The stores the refresher tests run on. */
export const REFRESHER_STORE_KINDS = ['sqlite', 'postgres'] as const;

/**
 * Starts an authorization server and a temp folder (and, for PostgreSQL, a database) before each test of the file,
 * and checks and ends them after.
 */
export function useRefresherHarness(kind: (typeof REFRESHER_STORE_KINDS)[number] = 'sqlite'): RefresherHarness {
  const cipher = testCipher();
  let auth: AuthServer | undefined;
  let dir = '';
  let database: TestDatabase | undefined;
  let stores: Store[] = [];
  const logs: string[] = [];

  beforeEach(async () => {
    auth = await AuthServer.start();
    dir = mkdtempSync(join(tmpdir(), 'nango-oauth-'));
    database = kind === 'postgres' ? await createTestDatabase() : undefined;
    stores = [];
    logs.length = 0;
  });

  afterEach(async () => {
    for (const store of stores) await store.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
    await auth?.stop();
    for (const secret of SECRETS) expect(logs.join('\n')).not.toContain(secret);
  });

  const harness: RefresherHarness = {
    get auth(): AuthServer {
      if (!auth) throw new Error('the auth server runs only within a test');
      return auth;
    },
    logs,
    worker: async (options = {}) => {
      const all: Store = database
        ? await PgStore.open(database.url, cipher, { poolSize: 4 })
        : new SqliteStore(join(dir, 'nango.sqlite'), cipher);
      stores.push(all);
      const logger = createLogger('debug', { write: (line: string) => void logs.push(line) });
      const refresher = new CredentialRefresher(all.connections, all.refreshLocks, logger, { ...FAST, ...options });
      return { store: all.connections, all, refresher };
    },
    acme: (oauth = 'client_auth: body') => {
      const yaml = `integrations:
  acme:
    auth_mode: OAUTH2
    base_url: https://api.acme.test
    oauth:
      token_url: ${harness.auth.tokenUrl}
      client_id: ${CLIENT_ID}
      client_secret: ${CLIENT_SECRET}
      ${oauth}
`;
      const config = parseIntegrationsConfig(yaml, { sourceName: 'integrations.yaml', integrationsDir: dir });
      return config.integrations.get('acme') as IntegrationConfig;
    },
    register: async (store, raw = { ...OLD, expires_in: 60 }) => {
      const credentials = normaliseCredentials('acme', 'OAUTH2', raw);
      return store.insert({ integration: 'acme', userId: 'u1', credentials, additionalConfig: {} });
    },
  };
  return harness;
}

/** The error `promise` rejects with, after checking that its message gives away no token or secret. */
export async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = (await promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  )) as { code: string; message: string };
  for (const secret of SECRETS) expect(error.message).not.toContain(secret);
  return error;
}
