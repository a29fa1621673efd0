/**
 * Everything the cluster fault harness starts, all of its own on this machine: a three-node RabbitMQ cluster
 * (test/privateBroker.ts: own node names, ports, folders and cookie; quorum queues), a PostgreSQL cluster (initdb
 * and pg_ctl in a temp folder on a free port, so the harness may restart it), two `nango-server api` and three
 * `nango-server worker` processes given every broker address, the provider they call and a webhook receiver.
 * `close()` ends it all and deletes what it made, whatever state a fault left it in.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { generateKey } from '../../../src/encryption/Keyring';
import { workerQueueNames } from '../../../src/broker/queueNames';
import { OwnPostgres, PG_BIN } from '../../helpers/ownPostgres';
import { startReceiver, type Receiver } from '../../webhooks/webhookReceiver';
import { startPrivateCluster, type PrivateCluster } from '../../../../../test/privateBroker';
import { connectFirst } from '../faultHarness';
import { startProviderMock, type ProviderMock } from './providerMock';
import { ServerProcess } from './serverProcess';

/** The secret key of the harness's API processes (and of the webhooks' signatures). */
export const SECRET_KEY = 'sk-cluster-faults';
/** Time limit of the `hit` action. */
export const HIT_TIMEOUT_MS = 5_000;
/** How long a process may take to be ready after a (re)start, on a loaded 2-core machine. */
export const READY_TIMEOUT_MS = 120_000;

export interface ClusterRigOptions {
  /** Issues the tracker holds: the records the sync must end with. */
  issues: number;
  /** Pause per page of 50 issues, so a sync run spans a fault. */
  pageDelayMs: number;
  /** Grace of a SIGTERMed process (NANGO_SHUTDOWN_GRACE_MS). */
  shutdownGraceMs: number;
  /** Called with progress lines. */
  log: (line: string) => void;
}

const YAML = (provider: string) => `integrations:
  fault:
    auth_mode: API_KEY
    base_url: ${provider}
    headers:
      X-Key: \${api_key}
    actions:
      hit:
        timeout_ms: ${HIT_TIMEOUT_MS}
  tracker:
    auth_mode: API_KEY
    base_url: ${provider}
    headers:
      X-Key: \${api_key}
    syncs:
      issues:
        models:
          TrackerIssue:
            type: object
            properties:
              id: { type: string }
              title: { type: string }
              state: { type: string }
              updated: { type: integer }
            required: [id, title, state]
        frequency: every 5 minutes
        auto_start: true
`;

/** `fault.hit` posts `/hit/<id>` (its side effect), then waits `holdMs`, so a fault can land between the two. */
const HIT_ACTION = `import { NangoAction } from '@nangohq/action';

export default class Hit extends NangoAction<{ id: string; holdMs?: number }> {
  override async executeAction(input: { id: string; holdMs?: number }) {
    const response = await this.httpRequest('hit/' + encodeURIComponent(input.id), 'POST');
    if (!response.ok) throw new Error('the provider answered ' + response.status);
    if (input.holdMs) await new Promise((resolve) => setTimeout(resolve, input.holdMs));
    return { id: input.id };
  }
}
`;

/** Reads the issues changed since its checkpoint, 50 a page, saving the checkpoint after each page. */
const ISSUES_SYNC = `import { NangoSync } from '@nangohq/action';

interface Issue { id: number; title: string; state: string; updated: number }

export default class Issues extends NangoSync<{ since: number }> {
  override async fetchData(): Promise<void> {
    const since = (await this.getCheckpoint())?.since ?? 0;
    const pages = this.paginate<Issue>({
      endpoint: '/issues',
      params: { since },
      paginate: { type: 'cursor', cursor_path_in_response: 'next', cursor_name_in_request: 'cursor', response_path: 'items', limit_name_in_request: 'limit', limit: 50 },
    });
    for await (const page of pages) {
      await this.batchSave(page.map((issue) => ({ id: String(issue.id), title: issue.title, state: issue.state, updated: issue.updated })), 'TrackerIssue');
      await this.saveCheckpoint({ since: (page[page.length - 1] as Issue).updated });
    }
  }
}
`;

export class ClusterRig {
  readonly queue = `nango.faults.cluster.${randomUUID()}`;
  readonly apis: ServerProcess[] = [];
  readonly workers: ServerProcess[] = [];

  private constructor(
    readonly broker: PrivateCluster,
    readonly postgres: OwnPostgres,
    readonly provider: ProviderMock,
    readonly receiver: Receiver,
    private readonly dir: string,
  ) {}

  /** Every process, workers first (the order of a rolling restart). */
  get processes(): ServerProcess[] {
    return [...this.workers, ...this.apis];
  }

  /**
   * Starts the broker cluster, PostgreSQL, provider and receiver at once, then the five processes, and resolves
   * once each is ready. @throws the first failure; everything started is ended first
   */
  static async start(options: ClusterRigOptions): Promise<ClusterRig> {
    if (!existsSync(join(PG_BIN, 'initdb'))) {
      throw new Error(
        `The cluster harness runs a PostgreSQL of its own and needs initdb and pg_ctl in ${PG_BIN}: install PostgreSQL's server package, or set NANGO_TEST_PG_BIN to the folder that holds them.`,
      );
    }
    const dir = mkdtempSync(join(tmpdir(), 'nango-cluster-faults-'));
    options.log('starting a three-node RabbitMQ cluster, PostgreSQL, the provider and the webhook receiver');
    const parts = await Promise.allSettled([
      startPrivateCluster(3, { partitionHandling: 'pause_minority' }),
      OwnPostgres.start(),
      startProviderMock({ issues: options.issues, pageDelayMs: options.pageDelayMs }),
      startReceiver(0),
    ] as const);
    const [broker, postgres, provider, receiver] = parts.map((part) =>
      part.status === 'fulfilled' ? part.value : undefined,
    ) as [PrivateCluster | undefined, OwnPostgres | undefined, ProviderMock | undefined, Receiver | undefined];
    if (!broker || !postgres || !provider || !receiver) {
      await Promise.allSettled([broker?.stop(), postgres?.destroy(), provider?.close(), receiver?.close()]);
      rmSync(dir, { recursive: true, force: true });
      const failed = parts.find((part): part is PromiseRejectedResult => part.status === 'rejected');
      throw failed?.reason ?? new Error('the cluster harness did not start');
    }
    const rig = new ClusterRig(broker, postgres, provider, receiver, dir);
    try {
      await rig.startProcesses(options);
    } catch (error) {
      await rig.close();
      throw error;
    }
    return rig;
  }

  private async startProcesses(options: ClusterRigOptions): Promise<void> {
    const admin = new pg.Client({ connectionString: this.postgres.url() });
    await admin.connect();
    await admin.query('CREATE DATABASE nango');
    await admin.end();
    mkdirSync(join(this.dir, 'integrations', 'fault'), { recursive: true });
    mkdirSync(join(this.dir, 'integrations', 'tracker'), { recursive: true });
    writeFileSync(join(this.dir, 'integrations.yaml'), YAML(this.provider.url));
    writeFileSync(join(this.dir, 'integrations', 'fault', 'hit.action.ts'), HIT_ACTION);
    writeFileSync(join(this.dir, 'integrations', 'tracker', 'issues.sync.ts'), ISSUES_SYNC);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NANGO_RABBITMQ_URL: this.broker.urls.join(','),
      NANGO_QUEUE: this.queue,
      NANGO_QUEUE_TYPE: 'quorum',
      NANGO_DATABASE_URL: this.postgres.url('nango'),
      NANGO_ENCRYPTION_KEY: generateKey(),
      NANGO_SECRET_KEY: SECRET_KEY,
      NANGO_WEBHOOK_URL: this.receiver.url,
      NANGO_INTEGRATIONS_YAML: join(this.dir, 'integrations.yaml'),
      NANGO_INTEGRATIONS_DIR: join(this.dir, 'integrations'),
      NANGO_WATCH: 'false',
      NANGO_LOG_LEVEL: 'info',
      NANGO_SHUTDOWN_GRACE_MS: String(options.shutdownGraceMs),
      NANGO_API_RATE_LIMIT: '1000000', // the harness's load is not what a rate limit is for
      NANGO_CONNECT_RETRIES: '20',
    };
    // The first worker alone first: it runs the migrations and declares the quorum queues, which the others and
    // the API processes then find (several processes migrating one fresh database at once only wait on each other).
    for (let n = 1; n <= 3; n++) {
      const port = await freePort();
      this.workers.push(new ServerProcess(`worker-${n}`, 'worker', port, { ...env, NANGO_METRICS_PORT: String(port) }));
    }
    for (let n = 1; n <= 2; n++) {
      const port = await freePort();
      const serverUrl = `http://127.0.0.1:${port}`;
      this.apis.push(
        new ServerProcess(`api-${n}`, 'api', port, { ...env, NANGO_PORT: String(port), NANGO_SERVER_URL: serverUrl }),
      );
    }
    const [first, ...rest] = this.processes as [ServerProcess, ...ServerProcess[]];
    first.spawn();
    await first.ready(READY_TIMEOUT_MS);
    for (const one of rest) one.spawn();
    await Promise.all(rest.map((one) => one.ready(READY_TIMEOUT_MS)));
    options.log(`ready: ${this.processes.map((one) => `${one.name} (pid ${one.pid})`).join(', ')}`);
  }

  /** Restarts a process that is down and waits until it is ready again. */
  async restart(one: ServerProcess): Promise<void> {
    one.spawn();
    await one.ready(READY_TIMEOUT_MS);
  }

  /** Waits until every process is ready (after a broker or database fault, they come back by themselves). */
  async allReady(timeoutMs = READY_TIMEOUT_MS): Promise<void> {
    await Promise.all(this.processes.map((one) => one.ready(timeoutMs)));
  }

  private closing: Promise<void> | undefined;

  /** Ends the processes (SIGKILL), deletes the queues, stops the broker nodes, PostgreSQL and the servers. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= this.end();
    return this.closing;
  }

  private async end(): Promise<void> {
    await Promise.all(this.processes.map((one) => one.stop('SIGKILL')));
    await Promise.all(this.broker.nodes.map((node) => node.start().catch(() => undefined))); // one a fault left down
    try {
      const connection = await connectFirst(this.broker.urls);
      const channel = await connection.createChannel();
      for (const queue of workerQueueNames(this.queue)) await channel.deleteQueue(queue);
      await connection.close();
    } catch {
      // the nodes and their folders go next anyway
    }
    await Promise.allSettled([this.broker.stop(), this.postgres.destroy(), this.provider.close(), this.receiver.close()]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A port nothing listens on right now (the process binds it a moment later, and again after a restart). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
