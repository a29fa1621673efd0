/**
 * Runs the cluster fault harness: starts the cluster (ClusterRig), puts the mixed load on it, applies the faults
 * one at a time with recovery between them, and counts what each did (faultFigures). Used by the command line
 * (`npm run faults:cluster`) and, with fewer faults and a shorter load, by the CI test.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { ClusterRig } from './clusterRig';
import { FAULTS, type FaultName } from './clusterFaults';
import { faultFigures, successRate, type FaultFigures, type FaultWindow } from './faultFigures';
import { MixedLoad, SYNC_USER, type CallRecord } from './mixedLoad';

export interface RunOptions {
  faults: readonly FaultName[];
  /** Load before the first fault, and the span the rate before each fault is taken over (ms). */
  baselineMs: number;
  /** Load after a fault is undone and every process ready, before the next (ms). */
  settleMs: number;
  /** Issues the sync mirrors. */
  issues: number;
  log: (line: string) => void;
  /** A folder to write each process's output to (`<name>.log`) at the end, for looking into a failure. */
  logsDir?: string;
}

export interface RunResult {
  figures: FaultFigures[];
  /** Every call made, in the order they ended; `startedAt` is Date.now() (the windows' times are too). */
  calls: CallRecord[];
  windows: FaultWindow[];
  /** What the run was: when, how loaded the machine was, what was applied. */
  context: { date: string; loadAverage: number[]; faults: Array<{ name: string; what: string }>; totalCalls: number };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runClusterFaults(options: RunOptions): Promise<RunResult> {
  const { log } = options;
  const loadAverage = loadavg().map((value) => Math.round(value * 10) / 10);
  const rig = await ClusterRig.start({ issues: options.issues, pageDelayMs: 100, shutdownGraceMs: 10_000, log });
  let load: MixedLoad | undefined;
  // Ctrl-C or a SIGTERM still ends everything the rig started: PostgreSQL runs detached (pg_ctl) and would outlive us.
  const interrupted = (signal: NodeJS.Signals) => {
    log(`${signal}: ending the cluster`);
    void rig.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    load = await MixedLoad.prepare(rig);
    await syncedRecords(rig, load, Date.now()); // the first run (auto_start) has mirrored every issue
    load.start();
    await sleep(options.baselineMs);
    const windows: FaultWindow[] = [];
    for (const name of options.faults) {
      const fault = FAULTS[name];
      log(`fault ${name}: ${fault.what}`);
      const startedAt = await fault.apply(rig, log);
      const previous = windows[windows.length - 1];
      if (previous) previous.endedAt = startedAt; // calls made while the next fault was being set up are the previous one's
      await rig.allReady();
      const recoveredAt = Date.now();
      log(`fault ${name}: undone, every process ready after ${((recoveredAt - startedAt) / 1_000).toFixed(1)} s`);
      await sleep(options.settleMs);
      const records = await syncedRecords(rig, load, Date.now());
      windows.push({ fault: name, startedAt, recoveredAt, endedAt: Date.now(), records });
    }
    await load.stop();
    // A keyed call that failed retryably is retried with its key, as its caller would: it must get a result.
    const retried = new Map<string, CallRecord>();
    for (const call of load.calls.filter((one) => one.keyed && !one.ok && one.retryable)) {
      retried.set(call.id, await load.call(call.kind, 0, call.id));
    }
    // Webhooks are delivered after the call that causes them; give the last ones time (a lease of a dead
    // deliverer is 25 s).
    const expected = new Set(load.registered.map((one) => one.userId));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && [...expected].some((userId) => authWebhooks(rig, userId) === 0)) await sleep(500);
    const calls = load.calls;
    const figures = windows.map((window) =>
      faultFigures({
        window,
        calls,
        baselineRate: successRate(calls, window.startedAt - options.baselineMs, window.startedAt),
        hits: (id) => rig.provider.hits(id),
        retried,
        registered: load!.registered,
        webhooks: (userId) => authWebhooks(rig, userId),
      }),
    );
    return {
      figures,
      calls,
      windows,
      context: {
        date: new Date().toISOString(),
        loadAverage,
        faults: options.faults.map((name) => ({ name, what: FAULTS[name].what })),
        totalCalls: calls.length,
      },
    };
  } catch (error) {
    const tails = rig.processes.map((one) => `--- ${one.name}:\n${one.output().slice(-1_500)}`).join('\n');
    throw new Error(`${(error as Error).message}\n${tails}`, { cause: error });
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    if (options.logsDir) {
      mkdirSync(options.logsDir, { recursive: true });
      for (const one of rig.processes) writeFileSync(join(options.logsDir, `${one.name}.log`), one.output());
    }
    await load?.close().catch(() => undefined);
    await rig.close();
  }
}

/** `auth` creation webhooks the receiver got for `userId`. */
function authWebhooks(rig: ClusterRig, userId: string): number {
  return rig.receiver.received.filter((one) => {
    const body = parse(one.body);
    return body?.['type'] === 'auth' && body['operation'] === 'creation' && body['connectionId'] === userId;
  }).length;
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * Waits for a sync run that finished after `after` and succeeded, then reads every record: issues missing from
 * them are lost, records beyond one per issue duplicated. @throws Error when no run succeeds within 3 minutes
 */
async function syncedRecords(rig: ClusterRig, load: MixedLoad, after: number): Promise<{ lost: number; duplicated: number }> {
  const { sdk } = load.sdk(0);
  const deadline = Date.now() + 180_000;
  let last = 'no status';
  for (;;) {
    const status = await sdk.syncStatus('tracker', ['issues'], SYNC_USER).catch((error: Error) => ({ syncs: [], error }));
    const sync = status.syncs[0];
    last = JSON.stringify(sync ?? status);
    const finishedAt = typeof sync?.['finishedAt'] === 'string' ? Date.parse(sync['finishedAt']) : 0;
    if (sync?.['status'] === 'SUCCESS' && finishedAt > after) break;
    if (Date.now() > deadline) throw new Error(`no sync run succeeded within 3 minutes; last status ${last}`);
    if (sync?.['status'] !== 'RUNNING') await sdk.triggerSync('tracker', ['issues'], SYNC_USER).catch(() => undefined);
    await sleep(1_000);
  }
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await sdk.listRecords({
      providerConfigKey: 'tracker',
      connectionId: SYNC_USER,
      model: 'TrackerIssue',
      limit: 500,
      ...(cursor !== null && { cursor }),
    });
    ids.push(...page.records.map((record) => String(record['id'])));
    cursor = page.next_cursor;
  } while (cursor !== null);
  const unique = new Set(ids);
  return { lost: rig.provider.issueIds().filter((id) => !unique.has(id)).length, duplicated: ids.length - unique.size };
}
