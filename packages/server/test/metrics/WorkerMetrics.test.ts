import { Histogram, Registry } from 'prom-client';
import { createLogger } from '../../src/logger';
import { cachedFor } from '../../src/metrics/cachedFor';
import { CellHistogram } from '../../src/metrics/CellHistogram';
import { LabelTable, OVERFLOW_VALUE } from '../../src/metrics/LabelTable';
import type { MetricSources } from '../../src/metrics/MetricSources';
import { WorkerMetrics } from '../../src/metrics/WorkerMetrics';
import { captureLogs } from '../helpers/harness';
import { parsePromText } from '../helpers/promText';
import { RecordingLog } from '../helpers/recordingLog';

const quiet = createLogger('silent');

async function scrape(metrics: WorkerMetrics) {
  return parsePromText(await metrics.text());
}

describe('WorkerMetrics', () => {
  it('counts operations as they end, by kind, status and integration, with their durations in seconds', async () => {
    const log = new RecordingLog();
    const metrics = new WorkerMetrics({ log }, quiet);
    const now = Date.now();
    log
      .start({ kind: 'action', name: 'echo', integration: 'demo', connectionId: 'user-secret-id', startedAt: now - 1_500 })
      .end('success');
    log
      .start({ kind: 'action', name: 'echo', integration: 'demo', startedAt: now - 20 })
      .end('failed', { code: 'action_failed', message: 'boom' });
    log.start({ kind: 'action', name: 'echo', integration: 'demo' }).end('failed', { code: 'action_failed', message: 'boom' });
    log.start({ kind: 'proxy', name: 'GET /issues' }).end('success');
    const running = log.start({ kind: 'sync', name: 'issues', integration: 'demo' }); // not ended: not counted
    const s = await scrape(metrics);
    expect(s.types.get('nango_operations_total')).toBe('counter');
    expect(s.value('nango_operations_total', { kind: 'action', status: 'success', integration: 'demo' })).toBe(1);
    expect(s.value('nango_operations_total', { kind: 'action', status: 'failed', integration: 'demo' })).toBe(2);
    expect(s.value('nango_operations_total', { kind: 'proxy', status: 'success', integration: '' })).toBe(1);
    expect(s.all('nango_operations_total', { kind: 'sync' })).toEqual([]);
    expect(s.types.get('nango_operation_duration_seconds')).toBe('histogram');
    const actions = { kind: 'action', integration: 'demo' };
    expect(s.value('nango_operation_duration_seconds_count', actions)).toBe(3);
    expect(s.value('nango_operation_duration_seconds_bucket', { ...actions, le: '1' })).toBe(2);
    expect(s.value('nango_operation_duration_seconds_bucket', { ...actions, le: '2.5' })).toBe(3);
    expect(s.value('nango_operation_duration_seconds_sum', actions)).toBeGreaterThanOrEqual(1.52);
    // No Connection id anywhere: it is not a label.
    expect(await metrics.text()).not.toContain('user-secret-id');
    running.end('cancelled');
    const after = await scrape(metrics);
    expect(after.value('nango_operations_total', { kind: 'sync', status: 'cancelled', integration: 'demo' })).toBe(1);
    // Counters keep their totals across scrapes.
    expect(after.value('nango_operations_total', { kind: 'action', status: 'failed', integration: 'demo' })).toBe(2);
  });

  it('counts token refresh failures by integration and reason, and the entries the log dropped', async () => {
    const log = new RecordingLog();
    const metrics = new WorkerMetrics({ log }, quiet);
    log.start({ kind: 'refresh', name: 'oauth2', integration: 'slack' }).end('success');
    const rejected = { code: 'connection_needs_reauthorization', message: 'invalid_grant' };
    log.start({ kind: 'refresh', name: 'oauth2', integration: 'slack' }).end('failed', rejected);
    log.start({ kind: 'refresh', name: 'oauth2', integration: 'slack' }).end('failed', rejected);
    log.start({ kind: 'refresh', name: 'oauth2', integration: 'slack' }).end('timed_out');
    log.start({ kind: 'refresh', name: 'oauth2', integration: 'slack' }).end('failed', { code: 'Not A Code!', message: 'x' });
    log.droppedCount = 3;
    let s = await scrape(metrics);
    expect(
      s.value('nango_token_refresh_failures_total', { integration: 'slack', reason: 'connection_needs_reauthorization' }),
    ).toBe(2);
    expect(s.value('nango_token_refresh_failures_total', { integration: 'slack', reason: 'timed_out' })).toBe(1);
    expect(s.value('nango_token_refresh_failures_total', { integration: 'slack', reason: OVERFLOW_VALUE })).toBe(1);
    expect(s.all('nango_token_refresh_failures_total')).toHaveLength(3);
    expect(s.value('nango_operation_log_dropped_total')).toBe(3);
    log.droppedCount = 7;
    s = await scrape(metrics);
    expect(s.value('nango_operation_log_dropped_total')).toBe(7);
    expect(s.types.get('nango_operation_log_dropped_total')).toBe('counter');
  });

  it('stops counting once closed', async () => {
    const log = new RecordingLog();
    const metrics = new WorkerMetrics({ log }, quiet);
    expect(log.listenerCount).toBe(1);
    metrics.close();
    expect(log.listenerCount).toBe(0);
    log.start({ kind: 'action', name: 'echo', integration: 'demo' }).end('success');
    expect((await scrape(metrics)).all('nango_operations_total')).toEqual([]);
  });

  it('counts HTTP requests by route pattern and RPC requests by type and reply status', async () => {
    const metrics = new WorkerMetrics({ log: new RecordingLog() }, quiet);
    metrics.http.observe('GET', '/connections/:connectionId', 200, 12);
    metrics.http.observe('GET', '/connections/:connectionId', 200, 3);
    metrics.http.observe('GET', undefined, 404, 1);
    metrics.rpc.observe('triggerAction', 'success', performance.now() - 5);
    metrics.rpc.observe('triggerAction', 'action_failed', performance.now());
    const s = await scrape(metrics);
    const route = { method: 'GET', route: '/connections/:connectionId' };
    expect(s.value('nango_http_requests_total', { ...route, status: '200' })).toBe(2);
    expect(s.value('nango_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(s.value('nango_http_request_duration_seconds_count', route)).toBe(2);
    expect(s.value('nango_http_request_duration_seconds_sum', route)).toBeCloseTo(0.015, 6);
    expect(s.value('nango_http_request_duration_seconds_bucket', { ...route, le: '0.005' })).toBe(1);
    expect(s.value('nango_rpc_requests_total', { type: 'triggerAction', status: 'success' })).toBe(1);
    expect(s.value('nango_rpc_requests_total', { type: 'triggerAction', status: 'action_failed' })).toBe(1);
    expect(s.value('nango_rpc_request_duration_seconds_count', { type: 'triggerAction' })).toBe(2);
  });

  it('reads the gauges from their sources when scraped; a failing source leaves only its own gauges out, and is logged', async () => {
    const { logs, logger } = captureLogs();
    let sandboxes = { busy: 2, idle: 3 };
    const sources: MetricSources = {
      log: new RecordingLog(),
      sandboxes: () => sandboxes,
      queues: () => Promise.resolve([{ queue: 'requests', messages: 4, consumers: 2 }]),
      webhookBacklog: () => Promise.resolve({ pending: 5, oldestCreatedAt: Date.now() - 30_000 }),
      syncLag: () => Promise.reject(new Error('database is locked')),
      storePool: () => ({ total: 6, idle: 4, waiting: 1, max: 10 }),
    };
    const metrics = new WorkerMetrics(sources, logger, { storeCacheMs: 0 });
    const s = await scrape(metrics);
    expect(s.value('nango_action_sandboxes', { state: 'busy' })).toBe(2);
    expect(s.value('nango_action_sandboxes', { state: 'idle' })).toBe(3);
    expect(s.value('nango_broker_queue_messages', { queue: 'requests' })).toBe(4);
    expect(s.value('nango_broker_queue_consumers', { queue: 'requests' })).toBe(2);
    expect(s.value('nango_broker_reachable')).toBe(1);
    expect(s.value('nango_webhook_outbox_pending')).toBe(5);
    expect(s.value('nango_webhook_outbox_oldest_pending_age_seconds')).toBeGreaterThanOrEqual(29.9);
    expect(s.value('nango_store_pool_connections', { state: 'busy' })).toBe(2);
    expect(s.value('nango_store_pool_connections', { state: 'idle' })).toBe(4);
    expect(s.value('nango_store_pool_waiting_clients')).toBe(1);
    expect(s.value('nango_store_pool_max_connections')).toBe(10);
    // Unknown, not 0: a failed look must not read as "no lag".
    expect(s.value('nango_syncs_due_not_started')).toBeNaN();
    expect(s.value('nango_syncs_oldest_overdue_seconds')).toBeNaN();
    expect(logs.filter((line) => line.source === 'sync schedules')).toHaveLength(1);
    sandboxes = { busy: 0, idle: 1 };
    expect((await scrape(metrics)).value('nango_action_sandboxes', { state: 'busy' })).toBe(0);
  });

  it('says the broker is unreachable and leaves its queues out when the look fails', async () => {
    const sources: MetricSources = { log: new RecordingLog(), queues: () => Promise.reject(new Error('ECONNREFUSED')) };
    const s = await scrape(new WorkerMetrics(sources, quiet));
    expect(s.value('nango_broker_reachable')).toBe(0);
    expect(s.all('nango_broker_queue_messages')).toEqual([]);
  });

  it('reports no sync lag and no outbox age as 0, not as a missing value', async () => {
    const sources: MetricSources = {
      log: new RecordingLog(),
      webhookBacklog: () => Promise.resolve({ pending: 0, oldestCreatedAt: null }),
      syncLag: () => Promise.resolve({ due: 0, oldestDueAt: null }),
    };
    const s = await scrape(new WorkerMetrics(sources, quiet));
    expect(s.value('nango_webhook_outbox_oldest_pending_age_seconds')).toBe(0);
    expect(s.value('nango_syncs_due_not_started')).toBe(0);
    expect(s.value('nango_syncs_oldest_overdue_seconds')).toBe(0);
  });

  it("appends the process's own metrics once, in a valid text format with one TYPE per family", async () => {
    const text = await new WorkerMetrics({ log: new RecordingLog() }, quiet).text();
    const s = parsePromText(text);
    expect(s.types.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(s.types.get('nodejs_heap_size_used_bytes')).toBe('gauge');
    expect(s.types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
    const typeLines = text.split('\n').filter((line) => line.startsWith('# TYPE '));
    expect(new Set(typeLines).size).toBe(typeLines.length);
  });
});

describe('CellHistogram', () => {
  it("writes what prom-client's own Histogram writes for the same observations", async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const buckets = [0.01, 0.1, 1];
    const cells = new CellHistogram(ours, 'h_seconds', 'help', ['a', 'b'], buckets);
    const reference = new Histogram({ name: 'h_seconds', help: 'help', labelNames: ['a', 'b'], buckets, registers: [theirs] });
    for (const [a, b, value] of [
      ['x', 'y', 0.005],
      ['x', 'y', 0.01],
      ['x', 'y', 0.5],
      ['x', 'y', 7],
      ['x', 'z', 0.05],
    ] as const) {
      cells.cell(a, b).observe(value);
      reference.observe({ a, b }, value);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});

describe('LabelTable', () => {
  it('keeps one cell per combination, and one overflow cell past its limit', () => {
    const table = new LabelTable((a, b, c) => ({ labels: [a, b, c], n: 0 }), 3);
    const first = table.get('a', 'b');
    expect(table.get('a', 'b')).toBe(first);
    table.get('a', 'c');
    table.get('d');
    const overflow = table.get('e', 'f', 'g');
    expect(overflow.labels).toEqual([OVERFLOW_VALUE, OVERFLOW_VALUE, OVERFLOW_VALUE]);
    expect(table.get('h')).toBe(overflow);
    expect(table.get('a', 'b')).toBe(first);
    expect(table.cells()).toHaveLength(4);
  });
});

describe('cachedFor', () => {
  it('reuses a value for its time, shares a call in flight, and keeps no failure', async () => {
    let calls = 0;
    let fail = false;
    const load = cachedFor(60_000, async () => {
      calls++;
      await new Promise((resolve) => setImmediate(resolve));
      if (fail) throw new Error('down');
      return calls;
    });
    expect(await Promise.all([load(), load()])).toEqual([1, 1]);
    expect(await load()).toBe(1);
    expect(calls).toBe(1);
    const fresh = cachedFor(0, async () => {
      calls++;
      if (fail) throw new Error('down');
      return calls;
    });
    fail = true;
    await expect(fresh()).rejects.toThrow('down');
    fail = false;
    expect(await fresh()).toBe(3);
  });
});
