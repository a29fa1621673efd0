import { NangoError } from '@nangohq/node-client';
import { waitFor } from '../helpers/harness';
import { startPrivateCluster, type PrivateBroker, type PrivateCluster } from '../../../../test/privateBroker';
import { workerQueueNames } from '../../src/broker/queueNames';
import { connectionNames, FaultRig, reportFigures, runLoad, sleep, tally, type Outcome } from './faultHarness';

// A RabbitMQ cluster of three private nodes (one cookie, own names, ports and folders), quorum queues, and a worker
// and a node client each given all three addresses. Under load (half the calls with an idempotency key), the node
// they are connected to is stopped. Calls in flight may fail, but only retryably; none may wait past its timeout;
// both sides must move to another node by themselves and calls must succeed again; a keyed call is never run twice,
// and a keyed call that failed, retried with its key, gets its result (so none is lost). Then the node comes back.
const IN_FLIGHT = 8;
const REQUEST_TIMEOUT_MS = 10_000;
const SETTLE_MARGIN_MS = 1_000;
const BACK_WITHIN_MS = 45_000; // a connection whose setup hangs is given up after 20 s (connectBroker)

interface Call {
  id: string;
  keyed: boolean;
}

// Opt-in (NANGO_TEST_CLUSTER=1): on this 2-core machine under load it failed 6 runs in 22 (amqplib's recovery after
// a 541 INTERNAL_ERROR, and publishes rejected 31-47 s after the stop: docs/reliability.md, "A RabbitMQ cluster"),
// and a test that fails by chance would block every change; it runs by hand until those are understood.
const describeCluster = process.env['NANGO_TEST_CLUSTER'] === '1' ? describe : describe.skip;

describeCluster('fault: the broker node the clients use stops, in a three-node cluster with quorum queues', () => {
  let cluster: PrivateCluster | undefined;
  let rig: FaultRig | undefined;

  beforeAll(async () => {
    cluster = await startPrivateCluster(3);
    rig = await FaultRig.start({ cluster });
  }, 180_000);

  afterAll(async () => {
    try {
      await Promise.all(cluster?.nodes.map((node) => node.start().catch(() => undefined)) ?? []); // if a test left one down
      await rig?.close();
    } finally {
      await cluster?.stop();
    }
  }, 120_000);

  it('keeps serving: calls fail only retryably, none hangs, none is lost, no keyed call runs twice', async () => {
    if (!cluster || !rig) throw new Error('beforeAll did not finish');
    const { nodes } = cluster;
    const worker = rig.spawnWorker({ NANGO_QUEUE_TYPE: 'quorum' });
    await worker.ready(60_000); // declaring quorum queues on a loaded 2-core machine can take a while
    const nango = await rig.client({ requestTimeoutMs: REQUEST_TIMEOUT_MS });
    await nango.registerConnection('fault', 'u1', { api_key: 'k' }); // through the credentials queue, quorum too

    const types = await nodes[1]!.ctl(['-q', 'list_queues', '--no-table-headers', 'name', 'type']);
    const declared = Object.fromEntries(
      types
        .trim()
        .split('\n')
        .map((line) => line.trim().split(/\s+/)),
    );
    expect(Object.fromEntries(workerQueueNames(rig.queue).map((name) => [name, declared[name]]))).toEqual(
      Object.fromEntries(workerQueueNames(rig.queue).map((name) => [name, 'quorum'])),
    );

    const connectedTo = await nodeOf(nodes, 'nango-node-client');
    if (!connectedTo) throw new Error('the node client is connected to no node of the cluster');
    expect(connectedTo).toBe(nodes[0]); // the addresses are tried in order
    expect(await nodeOf(nodes, `nango-worker ${worker.pid} requests`)).toBe(nodes[0]);

    const calls: Call[] = [];
    let stoppedAt = Number.POSITIVE_INFINITY;
    let haltedAt: number | undefined; // the node's process has exited
    let lostAt: number | undefined; // the first call the stop failed
    let backAt: number | undefined; // the first success of a call made after that
    const errorsSeen: string[] = [];
    let loadDone = false;
    const load = runLoad({
      inFlight: IN_FLIGHT,
      maxCalls: 100_000,
      done: () => loadDone,
      call: async (n) => {
        const call = { id: `${n % 2 === 0 ? 'keyed' : 'plain'}-${n}`, keyed: n % 2 === 0 };
        calls[n] = call;
        const startedAt = Date.now();
        const options = call.keyed ? { idempotencyKey: call.id } : {};
        const reply = await nango
          .triggerAction('fault', 'hit', 'u1', { id: call.id, holdMs: 20 }, options)
          .catch((error: unknown) => {
            if (Date.now() >= stoppedAt) lostAt ??= Date.now();
            errorsSeen.push(`${Date.now() - stoppedAt} ms after the stop: ${String(error)}`);
            throw error;
          });
        const since = lostAt ?? haltedAt;
        if (since !== undefined && startedAt >= since) backAt ??= Date.now();
        return reply;
      },
    });
    let outcomes: Outcome[];
    try {
      await sleep(2_000);
      stoppedAt = Date.now();
      await connectedTo.halt();
      haltedAt = Date.now();
      await waitFor(() => backAt !== undefined, BACK_WITHIN_MS, 'a call made after the stop to succeed').catch(
        async (error: Error) => {
          const warnings = worker
            .output()
            .split('\n')
            .filter((line) => /"level":(40|50|60)/.test(line))
            .slice(-20)
            .map((line) => line.slice(0, 400));
          const survivor = nodes.find((node) => node !== connectedTo)!;
          const leaders = await survivor
            .ctl(['-q', 'list_queues', '--no-table-headers', 'name', 'leader', 'members', 'online'], 20_000)
            .catch((failure: Error) => failure.message);
          const why = [
            error.message,
            `calls failed:\n${errorsSeen.slice(-10).join('\n')}`,
            `queues (name, leader, members, online) seen from ${survivor.node}:\n${leaders}`,
            `worker warnings:\n${warnings.join('\n')}`,
          ].join('\n');
          throw new Error(why, { cause: error });
        },
      );
      await sleep(2_000); // and keep going a little on the other nodes
    } finally {
      loadDone = true;
      outcomes = await load;
    }
    expect(await nodeOf(nodes, 'nango-node-client')).not.toBe(connectedTo);

    const hung = outcomes.filter((o) => o.ms > REQUEST_TIMEOUT_MS + SETTLE_MARGIN_MS).map((o) => `${o.ms} ms`);
    const notRetryable = outcomes.flatMap((o) =>
      o.ok || (o.error instanceof NangoError && o.error.retryable) ? [] : [String(o.error)],
    );
    const failed = outcomes.flatMap((o, n) => (o.ok ? [] : [calls[n]!]));
    // A keyed call that failed retryably is retried with its key, as a caller would: it must get a result, and its
    // side effect must then have happened exactly once (the first attempt's, replayed, or the retry's).
    const retries = await Promise.all(
      failed
        .filter((call) => call.keyed)
        .map((call) =>
          nango.triggerAction('fault', 'hit', 'u1', { id: call.id, holdMs: 20 }, { idempotencyKey: call.id }).then(
            () => true,
            () => false,
          ),
        ),
    );
    const keyedIds = calls.filter((call) => call.keyed).map((call) => call.id);
    const runTwice = keyedIds.filter((id) => rig!.hits(id) > 1);
    const succeededWithoutEffect = outcomes.flatMap((o, n) => (o.ok && rig!.hits(calls[n]!.id) === 0 ? [calls[n]!.id] : []));
    const lost = notRetryable.length + retries.filter((ok) => !ok).length + succeededWithoutEffect.length;
    const plainRunTwice = calls.filter((call) => !call.keyed && rig!.hits(call.id) > 1).length;

    await connectedTo.start(); // the node comes back and rejoins its cluster
    const status = await nodes[0]!.ctl(['cluster_status', '--formatter', 'json'], 60_000);
    const running = (JSON.parse(status) as { running_nodes?: string[] }).running_nodes ?? [];
    await expect(nango.triggerAction('fault', 'echo', 'u1', { after: 'restart' })).resolves.toMatchObject({ success: true });

    reportFigures('cluster node stop', {
      calls: outcomes.length,
      outcomes: tally(outcomes),
      failedRetryably: failed.length - notRetryable.length,
      keyedRetried: retries.length,
      lost,
      keyedRunTwice: runTwice.length,
      plainRunTwice,
      hung: hung.length,
      haltMs: (haltedAt ?? Number.NaN) - stoppedAt,
      backAfterMs: (backAt ?? Number.NaN) - (lostAt ?? haltedAt ?? Number.NaN),
      slowestMs: Math.max(...outcomes.map((o) => o.ms)),
    });
    expect(hung).toEqual([]);
    expect(notRetryable).toEqual([]);
    expect(retries.filter((ok) => !ok)).toEqual([]);
    expect(succeededWithoutEffect).toEqual([]);
    expect(runTwice).toEqual([]);
    expect(lost).toBe(0);
    expect(outcomes.filter((o) => o.ok).length).toBeGreaterThan(outcomes.length / 2);
    expect(running).toHaveLength(3);
    expect(worker.running).toBe(true);
  }, 120_000);
});

/** The node on which a connection named `name` (or starting with it) is open. */
async function nodeOf(nodes: readonly PrivateBroker[], name: string): Promise<PrivateBroker | undefined> {
  for (const node of nodes) {
    const names = await connectionNames(node).catch(() => [] as string[]);
    if (names.some((one) => one === name || one.startsWith(name))) return node;
  }
  return undefined;
}
