import { Gauge, type Registry } from './promClient';
import { cachedFor } from './cachedFor';
import type { MetricSources } from './MetricSources';

/** How long a store look-up made for a scrape is reused: several scrapers cost the database one query. */
export const STORE_CACHE_MS = 5_000;

/** Told when a source fails during a scrape (its gauges then have no value: better unknown than stale). */
export type SourceFailure = (source: string, error: unknown) => void;

/**
 * Gauges read when Prometheus scrapes, not kept up to date on the way: action sandboxes busy and idle, queue
 * depths and consumers, the webhook outbox backlog and the age of its oldest delivery, syncs due and not started
 * and how overdue the oldest is, and the PostgreSQL pool. A source that fails leaves its gauges without a value for
 * that scrape (NaN, or no series); the others are still reported.
 */
export function registerStateGauges(
  registry: Registry,
  sources: Omit<MetricSources, 'log'>,
  failed: SourceFailure,
  storeCacheMs = STORE_CACHE_MS,
): void {
  const gauge = (name: string, help: string, labelNames: string[], collect: (gauge: Gauge) => void | Promise<void>) => {
    const metric: Gauge = new Gauge({ name, help, labelNames, registers: [registry], collect: () => collect(metric) });
  };
  /**
   * Resets `metric`, then sets what `read` gives. A failure is reported and leaves the gauge without a value: no
   * series for a labelled one, NaN for one without labels (prom-client always writes those, as 0 when reset).
   */
  const guarded = async (source: string, metric: Gauge, read: () => Promise<void>, labelled = false) => {
    metric.reset();
    try {
      await read();
    } catch (error) {
      metric.reset();
      if (!labelled) metric.set(NaN);
      failed(source, error);
    }
  };
  const { sandboxes, queues, webhookBacklog, syncLag, storePool } = sources;
  if (sandboxes) {
    gauge('nango_action_sandboxes', 'Action sandboxes of this worker, busy with a run or idle (kept warm).', ['state'], (m) => {
      const use = sandboxes();
      m.set({ state: 'busy' }, use.busy);
      m.set({ state: 'idle' }, use.idle);
    });
  }
  if (queues) {
    // The probe caches its look-up, so the three gauges cost the broker one look per scrape at most.
    gauge('nango_broker_queue_messages', 'Messages ready in each queue of this worker, by role.', ['queue'], (m) =>
      guarded(
        'broker',
        m,
        async () => {
          for (const depth of await queues()) m.set({ queue: depth.queue }, depth.messages);
        },
        true,
      ),
    );
    gauge('nango_broker_queue_consumers', 'Consumers of each queue of this worker, by role (all workers).', ['queue'], (m) =>
      guarded(
        'broker',
        m,
        async () => {
          for (const depth of await queues()) m.set({ queue: depth.queue }, depth.consumers);
        },
        true,
      ),
    );
    gauge('nango_broker_reachable', 'Whether the broker answered the queue look-up of this scrape (1) or not (0).', [], (m) =>
      queues().then(
        () => m.set(1),
        () => m.set(0),
      ),
    );
  }
  if (webhookBacklog) {
    const backlog = cachedFor(storeCacheMs, webhookBacklog);
    gauge('nango_webhook_outbox_pending', 'Webhook deliveries stored and not yet delivered or failed.', [], (m) =>
      guarded('webhook outbox', m, async () => m.set((await backlog()).pending)),
    );
    gauge('nango_webhook_outbox_oldest_pending_age_seconds', 'Age of the oldest pending webhook delivery (0: none).', [], (m) =>
      guarded('webhook outbox', m, async () => {
        const oldest = (await backlog()).oldestCreatedAt;
        m.set(oldest === null ? 0 : Math.max(0, (Date.now() - oldest) / 1000));
      }),
    );
  }
  if (syncLag) {
    const lag = cachedFor(storeCacheMs, () => syncLag(Date.now()));
    gauge('nango_syncs_due_not_started', 'Sync runs due (or triggered) that no worker has started yet.', [], (m) =>
      guarded('sync schedules', m, async () => m.set((await lag()).due)),
    );
    gauge('nango_syncs_oldest_overdue_seconds', 'How long the longest-waiting due sync run has been due (0: none).', [], (m) =>
      guarded('sync schedules', m, async () => {
        const oldest = (await lag()).oldestDueAt;
        m.set(oldest === null ? 0 : Math.max(0, (Date.now() - oldest) / 1000));
      }),
    );
  }
  if (storePool) {
    gauge('nango_store_pool_connections', 'Connections of the PostgreSQL pool, busy or idle.', ['state'], (m) => {
      m.reset();
      const use = storePool();
      if (!use) return;
      m.set({ state: 'busy' }, use.total - use.idle);
      m.set({ state: 'idle' }, use.idle);
    });
    gauge('nango_store_pool_waiting_clients', 'Store calls waiting for a PostgreSQL connection.', [], (m) => {
      m.reset();
      const use = storePool();
      if (use) m.set(use.waiting);
    });
    gauge(
      'nango_store_pool_max_connections',
      'Most connections the PostgreSQL pool opens (NANGO_DATABASE_POOL_SIZE).',
      [],
      (m) => {
        m.reset();
        const use = storePool();
        if (use) m.set(use.max);
      },
    );
  }
}
