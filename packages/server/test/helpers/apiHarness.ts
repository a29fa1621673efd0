import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, type WorkerStartOptions } from '@nangohq/server';
import type { Provider, ProviderCatalog } from '../../src/providers/Provider';
import { openStore } from '../../src/store/openStore';
import type { ConnectionStore, Store } from '../../src/store/Store';
import { captureLogs, deleteWorkerQueues, type LogLine } from './harness';

/** A catalog made of the given entries, for tests that point providers at local servers. */
export function catalogOf(...providers: Provider[]): ProviderCatalog {
  const byName = new Map(providers.map((provider) => [provider.name, provider]));
  return { get: (name) => byName.get(name), list: () => [...byName.values()].sort((a, b) => a.name.localeCompare(b.name)) };
}

export interface ApiHarness {
  worker: Worker;
  /** The API's base URL, e.g. http://localhost:41234. */
  url: string;
  dir: string;
  dbPath: string;
  /** The broker queue it sends actions on (its own, deleted by stop()): a second process of the test shares it. */
  queue: string;
  logs: LogLine[];
  rawLogs: string[];
  /** A second handle on the worker's database, for seeding and checking Connections. Closed by stop(). */
  store(): Promise<ConnectionStore>;
  /** fetch against the API, with the secret key when `key` is given. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- replies are checked by shape in each test
  call(path: string, init?: RequestInit & { key?: string }): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

/**
 * Starts the HTTP API alone (no broker) on an ephemeral port, with a fresh SQLite file and the given
 * integrations.yaml and catalog. `stop()` closes it and deletes the folder.
 */
export async function startApi(
  options: { yaml?: string; catalog?: ProviderCatalog } & WorkerStartOptions = {},
): Promise<ApiHarness> {
  const { yaml = 'integrations:\n', ...overrides } = options;
  const dir = mkdtempSync(join(tmpdir(), 'nango-api-'));
  const yamlPath = join(dir, 'integrations.yaml');
  writeFileSync(yamlPath, yaml);
  const dbPath = join(dir, 'nango.sqlite');
  const { logs, rawLogs, logger } = captureLogs();
  // The API sends actions through the broker (and declares its async queue there): a queue of its own, deleted after.
  const queue = overrides.queue ?? `nango.test.api.${randomUUID()}`;
  const worker = await Worker.start({
    queue,
    integrationsYaml: yamlPath,
    integrationsDir: dir,
    dbPath,
    watch: false,
    port: 0,
    logger,
    roles: { rpc: false, http: true },
    ...overrides,
  });
  const url = worker.httpUrl as string;
  let second: Store | undefined;
  return {
    worker,
    url,
    dir,
    dbPath,
    queue,
    logs,
    rawLogs,
    async store() {
      second ??= (await openStore({}, { kind: 'sqlite', path: dbPath })).store;
      return second.connections;
    },
    async call(path, init = {}) {
      const { key, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (key !== undefined) headers.set('authorization', `Bearer ${key}`);
      const response = await fetch(`${url}${path}`, { ...rest, headers });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: kept as text
      }
      return { status: response.status, body, headers: response.headers };
    },
    async stop() {
      await second?.close();
      await worker.stop();
      await deleteWorkerQueues(queue);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
