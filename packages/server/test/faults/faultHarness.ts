/**
 * Shared pieces of the fault tests: real worker processes (the built command line, as users run it) on a temp
 * integrations folder and SQLite file, and a local HTTP server that counts the side effects of actions. A FaultRig
 * owns everything one test starts; `close()` ends it all. Tests that stop or cut the broker give the rig a
 * private node of their own (test/privateBroker.ts at the repository root), never the machine's broker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as amqp from 'amqplib';
import { Nango, type NangoClientOptions } from '@nangohq/node-client';
import { generateKey } from '../../src/encryption/Keyring';
import { startApiServer, type ApiServer } from '../helpers/apiServer';
import { RABBITMQ_URL, waitFor } from '../helpers/harness';
import { createTestDatabase, type TestDatabase } from '../helpers/pgDatabase';
import type { PrivateBroker, PrivateCluster } from '../../../../test/privateBroker';
import { workerQueueNames } from '../../src/broker/queueNames';

const ROOT = join(__dirname, '..', '..', '..', '..');
const CLI = join(ROOT, 'packages', 'server', 'dist', 'cli.js');

/** Time limit of the `hit` action; a keyed call's idempotency lease is this plus the worker's margin (10 s). */
export const HIT_TIMEOUT_MS = 3_000;

/**
 * `fault.hit` posts `/hit/<id>` to the counting server (its side effect), then waits `holdMs`, so a fault can land
 * after the side effect and before the reply. `fault.echo` returns its input and touches nothing.
 */
const ACTIONS: Record<string, string> = {
  'hit.action.ts': `import { NangoAction } from '@nangohq/action';

export default class Hit extends NangoAction<{ id: string; holdMs?: number }> {
  override async executeAction(input: { id: string; holdMs?: number }) {
    const response = await this.httpRequest('hit/' + encodeURIComponent(input.id), 'POST', undefined, { pid: process.pid });
    if (!response.ok) throw new Error('the counting server answered ' + response.status);
    if (input.holdMs) await new Promise((resolve) => setTimeout(resolve, input.holdMs));
    return { id: input.id, pid: process.pid };
  }
}
`,
  'echo.action.ts': `import { NangoAction } from '@nangohq/action';

export default class Echo extends NangoAction {
  override async executeAction(input: Record<string, unknown>) {
    return input;
  }
}
`,
};

function integrationsYaml(apiUrl: string): string {
  return [
    'integrations:',
    '  fault:',
    '    auth_mode: API_KEY',
    `    base_url: ${apiUrl}`,
    '    headers:',
    '      X-Key: ${api_key}',
    '    actions:',
    '      hit:',
    `        timeout_ms: ${HIT_TIMEOUT_MS}`,
    '      echo:',
    '',
  ].join('\n');
}

/** One `node packages/server/dist/cli.js` process; its stdout and stderr are kept for assertions and failures. */
export class WorkerProcess {
  /** Resolves with the exit code, or null when a signal ended the process. */
  readonly exited: Promise<number | null>;
  private text = '';

  constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => (this.text += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.text += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Everything the process wrote so far. */
  output(): string {
    return this.text;
  }

  /** Waits for the worker's ready line; fails with its output if it exits or takes longer than `timeoutMs`. */
  async ready(timeoutMs = 20_000): Promise<void> {
    await waitFor(
      () => {
        if (!this.running) throw new Error(`worker ${this.pid} exited before it was ready:\n${this.text.slice(-3_000)}`);
        return this.text.includes('nango worker ready');
      },
      timeoutMs,
      `worker ${this.pid} to log that it is ready`,
    );
  }

  /** Sends `signal` and resolves with the exit code once the process has ended. */
  stop(signal: NodeJS.Signals): Promise<number | null> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }
}

/** Which store the workers of a fault test share: one SQLite file, or one PostgreSQL database (as on several machines). */
export type RigStore = 'sqlite' | 'postgres';

/** Both, for tests that run once per store. */
export const RIG_STORES: readonly RigStore[] = ['sqlite', 'postgres'];

/** Everything one fault test starts: counting server, temp folder with integrations and database, workers, clients. */
export class FaultRig {
  readonly queue = `nango.test.fault.${randomUUID()}`;
  readonly dbPath: string;
  private readonly workers: WorkerProcess[] = [];
  private readonly clients: Nango[] = [];

  private constructor(
    /** Broker URLs: the machine's broker, the private node the rig was given, or every node of its cluster. */
    readonly urls: readonly string[],
    readonly api: ApiServer,
    private readonly dir: string,
    /** The PostgreSQL database of a rig on PostgreSQL; undefined on SQLite. */
    readonly database: TestDatabase | undefined,
  ) {
    this.dbPath = join(dir, 'nango.sqlite');
  }

  /** NANGO_RABBITMQ_URL of the rig's workers: its broker URL, or its cluster's, comma-separated. */
  get url(): string {
    return this.urls.join(',');
  }

  /** The environment that points a worker at this rig's store (and, on PostgreSQL, the key every worker shares). */
  get storeEnv(): Record<string, string> {
    return this.database
      ? { NANGO_DATABASE_URL: this.database.url, NANGO_ENCRYPTION_KEY: this.encryptionKey }
      : { NANGO_DB_PATH: this.dbPath };
  }

  private readonly encryptionKey = generateKey();

  /**
   * Starts the counting server and writes the integrations. With `broker`, workers and clients use that private
   * node instead of the machine's broker: a test that stops or cuts the broker must pass one. With `cluster`, they
   * are given every node of that private cluster.
   */
  static async start(options: { broker?: PrivateBroker; cluster?: PrivateCluster; store?: RigStore } = {}): Promise<FaultRig> {
    const urls = options.cluster?.urls ?? [options.broker?.url ?? RABBITMQ_URL];
    const api = await startApiServer(() => ({ body: { counted: true } }));
    const dir = mkdtempSync(join(tmpdir(), 'nango-fault-'));
    mkdirSync(join(dir, 'integrations', 'fault'), { recursive: true });
    writeFileSync(join(dir, 'integrations.yaml'), integrationsYaml(api.url));
    for (const [file, source] of Object.entries(ACTIONS)) writeFileSync(join(dir, 'integrations', 'fault', file), source);
    const database = options.store === 'postgres' ? await createTestDatabase() : undefined;
    return new FaultRig(urls, api, dir, database);
  }

  /** Spawns a worker on this rig's queue, database and integrations, without waiting for it. */
  spawnWorker(env: Record<string, string> = {}): WorkerProcess {
    const child = spawn(process.execPath, [CLI], {
      cwd: this.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        NANGO_RABBITMQ_URL: this.url,
        NANGO_QUEUE: this.queue,
        NANGO_INTEGRATIONS_YAML: join(this.dir, 'integrations.yaml'),
        NANGO_INTEGRATIONS_DIR: join(this.dir, 'integrations'),
        ...this.storeEnv,
        NANGO_WATCH: 'false',
        NANGO_LOG_LEVEL: 'info',
        NANGO_SHUTDOWN_GRACE_MS: '5000',
        ...env,
      },
    });
    const worker = new WorkerProcess(child);
    this.workers.push(worker);
    return worker;
  }

  /** Spawns a worker and waits for its ready line. */
  async startWorker(env: Record<string, string> = {}): Promise<WorkerProcess> {
    const worker = this.spawnWorker(env);
    await worker.ready();
    return worker;
  }

  /** A connected client on this rig's queue; closed by close(). */
  async client(options: Omit<NangoClientOptions, 'url' | 'queue'> = {}): Promise<Nango> {
    const url = this.urls.length === 1 ? this.url : this.urls;
    const nango = new Nango({ url, queue: this.queue, requestTimeoutMs: 10_000, ...options });
    this.clients.push(nango);
    await nango.connect();
    return nango;
  }

  /** How many times the action posted `/hit/<id>`: the side effects of the calls with that id. */
  hits(id: string): number {
    const path = `/hit/${encodeURIComponent(id)}`;
    return this.api.requests.filter((request) => request.url === path).length;
  }

  /** The ids whose side effect the worker process `pid` performed, in order. */
  hitsFrom(pid: number): string[] {
    return this.api.requests
      .filter((request) => request.url.startsWith('/hit/') && (JSON.parse(request.body) as { pid?: number }).pid === pid)
      .map((request) => decodeURIComponent(request.url.slice('/hit/'.length)));
  }

  /**
   * Ends everything: closes clients, kills workers still running (SIGKILL), deletes the queues, the counting
   * server and the temp folder. Then fails if a call was still waiting for its reply.
   */
  async close(): Promise<void> {
    const pending = this.clients.reduce((sum, nango) => sum + nango.pendingCount, 0);
    for (const nango of this.clients) await nango.close().catch(() => undefined);
    await Promise.all(this.workers.map((worker) => worker.stop('SIGKILL')));
    try {
      await deleteQueues(this.urls, workerQueueNames(this.queue));
    } finally {
      await this.api.close();
      await this.database?.drop();
      rmSync(this.dir, { recursive: true, force: true });
    }
    if (pending !== 0) throw new Error(`the test left ${pending} call(s) waiting for a reply`);
  }
}

/** How one call ended, and when. */
export interface Outcome<T = unknown> {
  ok: boolean;
  value?: T;
  error?: unknown;
  /** Date.now() when the call was made. */
  startedAt: number;
  /** How long it took to settle. */
  ms: number;
}

/** Makes a call and records how it ended instead of throwing. */
export async function settle<T>(call: () => Promise<T>): Promise<Outcome<T>> {
  const startedAt = Date.now();
  try {
    const value = await call();
    return { ok: true, value, startedAt, ms: Date.now() - startedAt };
  } catch (error) {
    return { ok: false, error, startedAt, ms: Date.now() - startedAt };
  }
}

/**
 * Keeps `inFlight` calls going until `done()` says stop or `maxCalls` were made, and resolves with every outcome
 * once the last call has settled. After a failed call its loop pauses `pauseAfterErrorMs`, so a client that
 * fails at once cannot spin.
 */
export async function runLoad<T>(options: {
  inFlight: number;
  maxCalls: number;
  done: () => boolean;
  call: (n: number) => Promise<T>;
  pauseAfterErrorMs?: number;
}): Promise<Outcome<T>[]> {
  const { inFlight, maxCalls, done, call, pauseAfterErrorMs = 20 } = options;
  const outcomes: Outcome<T>[] = [];
  let made = 0;
  const loop = async () => {
    while (!done() && made < maxCalls) {
      const n = made++;
      const outcome = await settle(() => call(n));
      outcomes[n] = outcome;
      if (!outcome.ok) await sleep(pauseAfterErrorMs);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, loop));
  return outcomes;
}

/** How many outcomes ended each way: 'ok' or the error's code. */
export function tally(outcomes: ReadonlyArray<Outcome>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) {
    const key = o.ok ? 'ok' : String((o.error as { code?: unknown } | undefined)?.code ?? o.error);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/**
 * Appends what a fault run saw, as one JSON line, to the file NANGO_FAULT_REPORT names (docs/reliability.md is
 * written from these); does nothing when it is not set.
 */
export function reportFigures(fault: string, figures: Record<string, unknown>): void {
  const file = process.env['NANGO_FAULT_REPORT'];
  if (file) appendFileSync(file, `${JSON.stringify({ fault, ...figures })}\n`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Deletes queues on the broker at the first of `urls` that answers (a cluster's nodes share their queues). */
async function deleteQueues(urls: readonly string[], queues: string[]): Promise<void> {
  const connection = await connectFirst(urls);
  try {
    const channel = await connection.createChannel();
    for (const queue of queues) await channel.deleteQueue(queue);
  } finally {
    await connection.close();
  }
}

/** A connection to the first of `urls` that answers. @throws the last node's error when none does */
export async function connectFirst(urls: readonly string[]): Promise<amqp.ChannelModel> {
  let failure: unknown = new Error('no broker URL');
  for (const url of urls) {
    try {
      return await amqp.connect(url);
    } catch (error) {
      failure = error;
    }
  }
  throw failure;
}

/** The client-given names of the connections open on `broker` (the worker's say `nango-worker <pid> <role>`). */
export async function connectionNames(broker: PrivateBroker): Promise<string[]> {
  const table = await broker.ctl(['-q', 'list_connections', '--no-table-headers', 'client_properties']);
  return table
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => /\{"connection_name","([^"]*)"\}/.exec(line)?.[1] ?? '');
}

/** Messages ready in `queue` (broker at `url`). */
export async function messageCount(url: string, queue: string): Promise<number> {
  const connection = await amqp.connect(url);
  try {
    return (await (await connection.createChannel()).checkQueue(queue)).messageCount;
  } finally {
    await connection.close();
  }
}
