/**
 * A RabbitMQ node of the test's own (shared by the packages' tests that stop, restart or cut the broker): it has its own node name,
 * ports, data and log folders, configuration file, empty plugin list and Erlang cookie, so nothing the test does
 * to it reaches the machine's broker or anyone else using it. `stop()` ends the node and deletes its folder.
 *
 * It runs the broker's own scripts (`rabbitmq-server`, `rabbitmqctl`) as the current user, found in
 * NANGO_TEST_RABBITMQ_SBIN, in the Debian/Ubuntu package's folder, or on PATH. A shell stays between the test
 * and the node and ends the node when its stdin closes, so a test run that dies leaves no node behind either.
 *
 * `startPrivateCluster()` starts three such nodes with one cookie and joins them into a cluster of their own.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import * as amqp from 'amqplib';

const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 30_000;

/** A running private node. */
export interface PrivateBroker {
  /** AMQP URL of the node (guest/guest on 127.0.0.1 and its own port). */
  readonly url: string;
  /** Erlang node name, e.g. `nango-test-3f2a9c1d@localhost`. */
  readonly node: string;
  /** The node's data folder (RABBITMQ_MNESIA_BASE): its message stores, queue indexes and Raft logs. */
  readonly dataDir: string;
  /** Runs `rabbitmqctl -n <node> <args>` and resolves with its stdout. @throws Error with its stderr, or on timeout */
  ctl(args: string[], timeoutMs?: number): Promise<string>;
  /** Resolves once the node accepts an AMQP login; fails after `timeoutMs`. */
  waitUntilReady(timeoutMs?: number): Promise<void>;
  /**
   * Stops the node's process (a clean stop, SIGKILL past a time limit) and keeps its folder, so that `start()` can
   * bring the same node back: what losing one node of a cluster looks like.
   */
  halt(): Promise<void>;
  /** Starts a halted node again, with its name, ports, data and cookie, and resolves once it accepts AMQP logins. */
  start(): Promise<void>;
  /** Stops the node (SIGKILL past a time limit) and deletes its folder. Safe to call twice. */
  stop(): Promise<void>;
}

/** Three (or `size`) private nodes joined into one RabbitMQ cluster. */
export interface PrivateCluster {
  /** The nodes; the first is the one the others joined. */
  readonly nodes: readonly PrivateBroker[];
  /** Every node's AMQP URL, in node order. */
  readonly urls: readonly string[];
  /** Stops every node and deletes their folders. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * RabbitMQ's `cluster_partition_handling`: `ignore` (its default) leaves both sides of a partition running;
 * `pause_minority` pauses the side that cannot see a majority (it closes its clients' connections) until it heals.
 */
export type PartitionHandling = 'ignore' | 'pause_minority' | 'autoheal';

/**
 * Starts a private node and resolves once it accepts AMQP logins. `cookie`: the Erlang cookie (nodes of one
 * cluster share one); default: a random one of its own.
 * @throws Error naming what is missing (the broker scripts) or the node's last log lines when it does not come up
 */
export async function startPrivateBroker(
  options: { cookie?: string; partitionHandling?: PartitionHandling } = {},
): Promise<PrivateBroker> {
  const sbin = findSbin();
  const dir = mkdtempSync(join(tmpdir(), 'nango-rabbit-'));
  const node = `nango-test-${randomBytes(4).toString('hex')}@localhost`;
  const port = await freePort();
  const distPort = await freePort();
  const handling = options.partitionHandling ? `cluster_partition_handling = ${options.partitionHandling}\n` : '';
  writeFileSync(join(dir, 'rabbitmq.conf'), `listeners.tcp.1 = 127.0.0.1:${port}\nloopback_users = none\n${handling}`);
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
  writeFileSync(join(dir, 'rabbitmq-env.conf'), '');
  writeFileSync(join(dir, '.erlang.cookie'), options.cookie ?? randomBytes(20).toString('hex'), { mode: 0o400 });
  mkdirSync(join(dir, 'log'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dir, // rabbitmqctl and the node read the Erlang cookie from $HOME
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'), // not the machine's /etc/rabbitmq/rabbitmq-env.conf
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'), // no management or prometheus listeners
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_PID_FILE: join(dir, 'node.pid'),
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
  };
  const broker = new Node(dir, node, `amqp://guest:guest@127.0.0.1:${port}`, sbin, env);
  try {
    await broker.start();
  } catch (error) {
    await broker.stop();
    throw error;
  }
  return broker;
}

/**
 * Starts `size` private nodes at once (a node's start is mostly waiting, so three in parallel take little longer
 * than one), all with one Erlang cookie, then joins every other node to the first (`stop_app`, `join_cluster`,
 * `start_app`, in parallel too). Each node keeps its own name, ports and folder; `stop()` ends them all.
 * `partitionHandling` sets the nodes' `cluster_partition_handling` (RabbitMQ's default, `ignore`, when absent).
 * @throws Error from the node that did not start or join; every node started is stopped first
 */
export async function startPrivateCluster(
  size = 3,
  options: { partitionHandling?: PartitionHandling } = {},
): Promise<PrivateCluster> {
  const cookie = randomBytes(20).toString('hex');
  const started = await Promise.allSettled(Array.from({ length: size }, () => startPrivateBroker({ cookie, ...options })));
  const nodes = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const cluster = new Cluster(nodes);
  try {
    const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
    const [first, ...others] = nodes as [PrivateBroker, ...PrivateBroker[]];
    await Promise.all(
      others.map(async (node) => {
        await node.ctl(['stop_app'], 60_000);
        await node.ctl(['join_cluster', first.node], 60_000);
        await node.ctl(['start_app'], 60_000);
        await node.waitUntilReady(START_TIMEOUT_MS);
      }),
    );
    const status = await first.ctl(['cluster_status', '--formatter', 'json'], 60_000);
    const running = (JSON.parse(status) as { running_nodes?: string[] }).running_nodes ?? [];
    if (running.length !== size) throw new Error(`the cluster runs ${running.length} of ${size} nodes: ${running.join(', ')}`);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

class Cluster implements PrivateCluster {
  readonly urls: readonly string[];
  private stopping: Promise<void> | undefined;

  constructor(readonly nodes: readonly PrivateBroker[]) {
    this.urls = nodes.map((node) => node.url);
  }

  stop(): Promise<void> {
    this.stopping ??= Promise.all(this.nodes.map((node) => node.stop())).then(() => undefined);
    return this.stopping;
  }
}

class Node implements PrivateBroker {
  readonly dataDir: string;
  /** The shell that runs the node, and when it exits; undefined while the node is halted. */
  private running: { shell: ChildProcess; exited: Promise<void> } | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly dir: string,
    readonly node: string,
    readonly url: string,
    private readonly sbin: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.dataDir = join(dir, 'mnesia');
  }

  async start(): Promise<void> {
    if (this.stopping) throw new Error(`${this.node} was stopped for good`);
    if (this.running) throw new Error(`${this.node} is running already`);
    // The shell ends the node (SIGTERM, which RabbitMQ treats as a clean stop) once its stdin closes: when halt()
    // or stop() ends it, or when this process dies.
    const log = join(this.dir, 'log', 'stdout.log');
    const script = `"$0" >> "${log}" 2>&1 & pid=$!; read _ || true; kill -TERM $pid 2>/dev/null; wait $pid`;
    const shell = spawn('/bin/sh', ['-c', script, join(this.sbin, 'rabbitmq-server')], {
      env: this.env,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    this.running = { shell, exited: new Promise((resolve) => shell.once('exit', () => resolve())) };
    try {
      await this.waitUntilReady(START_TIMEOUT_MS);
    } catch (error) {
      throw new Error(`the private RabbitMQ node ${this.node} did not start: ${(error as Error).message}\n${this.lastLog()}`, {
        cause: error,
      });
    }
  }

  async halt(): Promise<void> {
    const running = this.running;
    if (!running) return;
    running.shell.stdin?.end();
    const timedOut = await Promise.race([
      running.exited.then(() => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(true), STOP_TIMEOUT_MS).unref()),
    ]);
    if (timedOut) {
      const pid = Number(readIfExists(join(this.dir, 'node.pid')));
      if (pid > 0) killQuietly(pid);
      running.shell.kill('SIGKILL');
      await running.exited;
    }
    this.running = undefined;
  }

  ctl(args: string[], timeoutMs = 30_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const options = { env: this.env, timeout: timeoutMs, killSignal: 'SIGKILL' as const };
      execFile(join(this.sbin, 'rabbitmqctl'), ['-n', this.node, ...args], options, (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const why = error.killed ? `no answer within ${timeoutMs} ms` : stderr.trim() || error.message;
        reject(new Error(`rabbitmqctl ${args.join(' ')} on ${this.node} failed: ${why}`, { cause: error }));
      });
    });
  }

  async waitUntilReady(timeoutMs = 30_000): Promise<void> {
    await waitFor(
      async () => {
        if (!this.running || this.running.shell.exitCode !== null) throw new Error('the node exited');
        try {
          const connection = await amqp.connect(this.url, { timeout: 2_000 });
          await connection.close();
          return true;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 250));
          return false;
        }
      },
      timeoutMs,
      `${this.node} to accept AMQP logins`,
    );
  }

  stop(): Promise<void> {
    this.stopping ??= this.end();
    return this.stopping;
  }

  /** The tail of the node's own log, to say why it did not start. */
  lastLog(): string {
    const file = join(this.dir, 'log', `${this.node}.log`);
    const stdout = join(this.dir, 'log', 'stdout.log');
    const text = [file, stdout].map((path) => (existsSync(path) ? readFileSync(path, 'utf8') : '')).join('\n');
    return text.slice(-3_000);
  }

  private async end(): Promise<void> {
    await this.halt();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The folder holding the real `rabbitmq-server` and `rabbitmqctl` scripts (not a distribution's su wrapper). */
function findSbin(): string {
  const candidates = [
    process.env['NANGO_TEST_RABBITMQ_SBIN'],
    '/usr/lib/rabbitmq/bin', // Debian/Ubuntu package: /usr/sbin holds a wrapper that switches to the rabbitmq user
    ...(process.env['PATH'] ?? '').split(delimiter),
  ];
  for (const folder of candidates) {
    if (!folder || !existsSync(join(folder, 'rabbitmq-server'))) continue;
    const real = dirname(realpathSync(join(folder, 'rabbitmq-server')));
    if (existsSync(join(real, 'rabbitmq-env')) && existsSync(join(real, 'rabbitmqctl'))) return real;
  }
  throw new Error(
    'The broker fault tests start a RabbitMQ node of their own and need its scripts (rabbitmq-server, rabbitmqctl): ' +
      'install RabbitMQ, or set NANGO_TEST_RABBITMQ_SBIN to the folder that holds them.',
  );
}

/** A port nothing listens on right now (the node binds it a moment later). */
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

function readIfExists(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : '';
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
