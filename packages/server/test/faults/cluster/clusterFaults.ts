/**
 * The faults the cluster harness applies, one at a time. Each `apply` makes the fault and undoes it (a node
 * started again, a process restarted, a partition healed); the runner then waits until every process is ready.
 */
import type { PrivateBroker } from '../../../../../test/privateBroker';
import { connectionNames } from '../faultHarness';
import type { ClusterRig } from './clusterRig';

export type FaultName =
  'broker-node-stop' | 'worker-kill' | 'api-kill' | 'postgres-restart' | 'broker-partition' | 'rolling-restart';

export interface Fault {
  name: FaultName;
  /** What was done, for the table. */
  what: string;
  /**
   * Makes the fault and undoes it; resolves with the moment the fault landed (Date.now()), after any looking up
   * before it (which node the clients use takes `rabbitmqctl` seconds under load).
   */
  apply(rig: ClusterRig, log: (line: string) => void): Promise<number>;
}

/** How long a node stays stopped, the database down or a node partitioned. */
const OUTAGE_MS = 5_000;
/** A node cut off: past RabbitMQ's net_ticktime (60 s) its peers would see it down by themselves; we cut at once. */
const PARTITION_MS = 15_000;

/** How long an API is out of rotation before its SIGTERM: calls sent to it before finish (the preStop pause). */
const DRAIN_MS = 2_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const FAULTS: Readonly<Record<FaultName, Fault>> = {
  'broker-node-stop': {
    name: 'broker-node-stop',
    what: 'the broker node the node client is connected to stops (clean stop) and starts again 5 s later',
    async apply(rig, log) {
      const node = (await nodeOf(rig.broker.nodes, 'nango-node-client')) ?? rig.broker.nodes[0]!;
      log(`stopping ${node.node}`);
      const at = Date.now();
      await node.halt();
      await sleep(OUTAGE_MS);
      log(`starting ${node.node} again`);
      await node.start();
      return at;
    },
  },
  'worker-kill': {
    name: 'worker-kill',
    what: 'SIGKILL of one of three workers, restarted at once',
    async apply(rig, log) {
      const worker = rig.workers[0]!;
      log(`SIGKILL ${worker.name} (pid ${worker.pid})`);
      const at = Date.now();
      await worker.stop('SIGKILL');
      await rig.restart(worker);
      return at;
    },
  },
  'api-kill': {
    name: 'api-kill',
    what: 'SIGKILL of one of two API processes, restarted at once',
    async apply(rig, log) {
      const api = rig.apis[0]!;
      log(`SIGKILL ${api.name} (pid ${api.pid})`);
      const at = Date.now();
      await api.stop('SIGKILL');
      await rig.restart(api);
      return at;
    },
  },
  'postgres-restart': {
    name: 'postgres-restart',
    what: 'PostgreSQL stopped as a crash (pg_ctl -m immediate), started again 5 s later',
    async apply(rig, log) {
      log('stopping PostgreSQL (immediate)');
      const at = Date.now();
      await rig.postgres.stop('immediate');
      await sleep(OUTAGE_MS);
      log('starting PostgreSQL again');
      await rig.postgres.startAgain();
      return at;
    },
  },
  'broker-partition': {
    name: 'broker-partition',
    what:
      'the node the client is connected to is cut off from the other two for 15 s (its Erlang distribution ' +
      'links refuse them: another cookie for each peer) and healed; pause_minority pauses it meanwhile',
    async apply(rig, log) {
      const node = (await nodeOf(rig.broker.nodes, 'nango-node-client')) ?? rig.broker.nodes[0]!;
      const peers = rig.broker.nodes.filter((one) => one !== node).map((one) => `'${one.node}'`);
      log(`partitioning ${node.node} from ${peers.join(', ')}`);
      const at = Date.now();
      // A peer's cookie other than the cluster's makes every handshake between them fail, both ways, while
      // rabbitmqctl (a hidden node with its own name) still gets in with the real cookie to heal it. No root needed.
      await node.ctl([
        'eval',
        `[erlang:set_cookie(N, 'partitioned_by_harness') || N <- [${peers}]], [erlang:disconnect_node(N) || N <- [${peers}]], ok.`,
      ]);
      await sleep(PARTITION_MS);
      log(`healing ${node.node}`);
      await node.ctl([
        'eval',
        `[erlang:set_cookie(N, erlang:get_cookie()) || N <- [${peers}]], [net_adm:ping(N) || N <- [${peers}]].`,
      ]);
      await waitForRunningNodes(node, 3, 120_000);
      return at;
    },
  },
  'rolling-restart': {
    name: 'rolling-restart',
    what:
      'every process SIGTERMed and started again, one at a time (three workers, then two APIs), each waited for ' +
      'ready; an API is taken out of the HTTP load 2 s before its SIGTERM and put back once ready',
    async apply(rig, log) {
      const at = Date.now();
      for (const one of rig.processes) {
        if (one.role === 'api') {
          one.inRotation = false; // out of the load balancer first, as Kubernetes' endpoints and preStop pause do
          await sleep(DRAIN_MS);
        }
        log(`SIGTERM ${one.name} (pid ${one.pid})`);
        const code = await one.stop('SIGTERM');
        if (code !== 0) throw new Error(`${one.name} exited with ${code} on SIGTERM:\n${one.output().slice(-2_000)}`);
        await rig.restart(one);
        one.inRotation = true;
      }
      return at;
    },
  },
};

export const FAULT_NAMES = Object.keys(FAULTS) as FaultName[];

/** The node on which a connection named `name` (or starting with it) is open. */
export async function nodeOf(nodes: readonly PrivateBroker[], name: string): Promise<PrivateBroker | undefined> {
  for (const node of nodes) {
    const names = await connectionNames(node).catch(() => [] as string[]);
    if (names.some((one) => one === name || one.startsWith(name))) return node;
  }
  return undefined;
}

/** Waits until `node` sees `count` running nodes in its cluster. */
async function waitForRunningNodes(node: PrivateBroker, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await node.ctl(['cluster_status', '--formatter', 'json'], 30_000).catch(() => '{}');
    const running = (JSON.parse(status) as { running_nodes?: string[] }).running_nodes ?? [];
    if (running.length >= count) return;
    if (Date.now() > deadline) throw new Error(`${node.node} sees ${running.length} of ${count} nodes running after the heal`);
    await sleep(1_000);
  }
}
