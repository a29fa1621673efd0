import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { get } from '../api';
import { Layout } from '../Layout';
import { ago, formatDuration, formatTime } from '../components/format';
import { ErrorNotice } from '../components/Notice';
import { countsOf, failureRate, slotsOf, type OperationStats } from '../components/operationStats';
import { StatusBadge } from '../components/StatusBadge';
import { StatusChart } from '../components/StatusChart';
import { useLoad, type Loaded } from '../components/useLoad';
import { paths } from '../paths';

const HOUR = 3_600_000;
/** Lists are counted by asking for one more than this: past it the figure is "100+" (nothing is read whole). */
const COUNT_UP_TO = 100;
const BEHIND_SHOWN = 10;

/** One sync schedule as `GET /syncs` lists it. */
interface SyncListing {
  integration: string;
  connection_id: string;
  name: string;
  status: string;
  frequency: string | null;
  last_run_at: string | null;
  next_run_at: string | null;
  behind_seconds: number | null;
  last_error: string | null;
  record_count: number | null;
}

/**
 * The day at a glance: operations per hour by status, the failure rate, and what waits for someone (Connections to
 * re-authorize, syncs behind schedule, webhook deliveries pending or failed), each figure a link to its list.
 * Every figure is read on its own, so one the server cannot answer does not hide the others.
 */
export function Overview() {
  const [round, setRound] = useState(0);
  // The last 24 hours, in whole hours (the current one partly), read again on "Refresh".
  const day = useMemo(() => {
    const to = Date.now();
    return { from: Math.floor(to / HOUR) * HOUR - 23 * HOUR, to };
  }, [round]);

  const stats = useLoad(
    () =>
      get<OperationStats>('/logs/operations/stats', {
        from: new Date(day.from).toISOString(),
        to: new Date(day.to).toISOString(),
        bucket: HOUR / 1000,
      }),
    [day],
  );
  const reauth = useLoad(
    () =>
      get<{ connections: unknown[] }>('/connections', { authorization: 'needs_reauthorization', limit: COUNT_UP_TO + 1 }).then(
        (body) => body.connections.length,
      ),
    [round],
  );
  const behind = useLoad(
    () => get<{ syncs: SyncListing[] }>('/syncs', { behindSchedule: true, limit: COUNT_UP_TO + 1 }).then((body) => body.syncs),
    [round],
  );
  const deliveries = (state: 'pending' | 'failed') => () =>
    get<{ deliveries: unknown[] }>('/webhooks/deliveries', { state, limit: COUNT_UP_TO + 1 }).then(
      (body) => body.deliveries.length,
    );
  const pending = useLoad(deliveries('pending'), [round]);
  const failedDeliveries = useLoad(deliveries('failed'), [round]);

  return (
    <Layout
      title="Overview"
      actions={
        <button type="button" onClick={() => setRound((value) => value + 1)}>
          Refresh
        </button>
      }
    >
      <section aria-labelledby="needs-attention">
        <h2 id="needs-attention" class="visually-hidden">
          Figures
        </h2>
        <div class="cards">
          <FailureRateCard stats={stats} />
          <CountCard
            loaded={reauth}
            href={paths.connections({ authorization: 'needs_reauthorization' })}
            label={(count) => `Connection${count === 1 ? '' : 's'} to re-authorize`}
          />
          <CountCard
            loaded={{ ...behind, value: behind.value?.length }}
            href="#behind-syncs"
            label={(count) => `sync${count === 1 ? '' : 's'} behind schedule`}
          />
          <CountCard
            loaded={pending}
            href={paths.webhooks({ state: 'pending' })}
            label={(count) => `webhook deliver${count === 1 ? 'y' : 'ies'} waiting`}
          />
          <CountCard
            loaded={failedDeliveries}
            href={paths.webhooks({ state: 'failed' })}
            label={(count) => `webhook deliver${count === 1 ? 'y' : 'ies'} failed`}
          />
        </div>
      </section>

      <section aria-labelledby="per-hour">
        <h2 id="per-hour">Operations per hour, last 24 hours</h2>
        {stats.error !== undefined && <ErrorNotice error={stats.error} />}
        {stats.loading && !stats.value && <p class="loading">Loading the figures…</p>}
        {stats.value && <DayChart stats={stats.value} from={day.from} to={day.to} />}
      </section>

      <BehindSyncs loaded={behind} />
    </Layout>
  );
}

function DayChart(props: { stats: OperationStats; from: number; to: number }) {
  const slots = slotsOf(props.stats, props.from, props.to, HOUR);
  const total = slots.reduce((sum, slot) => sum + slot.total, 0);
  const failed = slots.reduce((sum, slot) => sum + slot.counts.failed + slot.counts.timed_out, 0);
  if (total === 0) {
    return (
      <p class="empty">
        No operation in the last 24 hours. <a href={paths.logs()}>All operations</a>
      </p>
    );
  }
  return (
    <StatusChart
      slots={slots}
      label={`Operations per hour over the last 24 hours: ${total} in all, ${failed} failed or timed out`}
    />
  );
}

/** A figure as a link to the list behind it, with its loading state and its error in place. */
function Card(props: { href: string; figure: ComponentChildren; label: ComponentChildren; note?: ComponentChildren }) {
  return (
    <a class="card" href={props.href}>
      <span class="figure">{props.figure}</span>
      <span class="label">{props.label}</span>
      {props.note && <span class="card-note">{props.note}</span>}
    </a>
  );
}

function CountCard(props: {
  loaded: Pick<Loaded<number>, 'value' | 'error' | 'loading'>;
  href: string;
  label: (count: number) => string;
}) {
  const { value, error } = props.loaded;
  if (error !== undefined) {
    return <Card href={props.href} figure="?" label={props.label(2)} note={`Could not be read: ${messageOf(error)}`} />;
  }
  if (value === undefined) return <Card href={props.href} figure="…" label={props.label(2)} />;
  return <Card href={props.href} figure={value > COUNT_UP_TO ? `${COUNT_UP_TO}+` : String(value)} label={props.label(value)} />;
}

function FailureRateCard(props: { stats: Loaded<OperationStats> }) {
  const href = paths.logs({ status: 'failed,timed_out', from: '24h' });
  const { value, error } = props.stats;
  const label = 'of operations failed, last 24 h';
  if (error !== undefined) return <Card href={href} figure="?" label={label} note={`Could not be read: ${messageOf(error)}`} />;
  if (value === undefined) return <Card href={href} figure="…" label={label} />;
  const totals = countsOf(value.totals);
  const running = totals.running;
  const rate = failureRate(totals);
  if (rate === null) return <Card href={href} figure="—" label={label} note="No operation ended in the last 24 hours." />;
  const percent = rate.rate * 100;
  return (
    <Card
      href={href}
      figure={`${percent > 0 && percent < 0.1 ? '<0.1' : percent.toFixed(percent < 10 ? 1 : 0)} %`}
      label={label}
      note={`${rate.failed} failed or timed out of ${rate.ended} ended${running > 0 ? `; ${running} running` : ''}`}
    />
  );
}

function BehindSyncs(props: { loaded: Loaded<SyncListing[]> }) {
  const { value, error } = props.loaded;
  return (
    <section aria-labelledby="behind-syncs" id="behind-syncs-section">
      <h2 id="behind-syncs" tabIndex={-1}>
        Syncs behind schedule
      </h2>
      {error !== undefined && <ErrorNotice error={error} />}
      {value && value.length === 0 && <p class="empty">Every sync runs on time.</p>}
      {value && value.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Syncs behind schedule, the furthest behind first</caption>
            <thead>
              <tr>
                <th scope="col">Sync</th>
                <th scope="col">Connection</th>
                <th scope="col">Status</th>
                <th scope="col" class="num">
                  Behind by
                </th>
                <th scope="col">Last run</th>
                <th scope="col">Last error</th>
              </tr>
            </thead>
            <tbody>
              {[...value]
                .sort((a, b) => (b.behind_seconds ?? 0) - (a.behind_seconds ?? 0))
                .slice(0, BEHIND_SHOWN)
                .map((sync) => (
                  <tr key={`${sync.integration}/${sync.connection_id}/${sync.name}`}>
                    <td>
                      <a
                        href={paths.logs({
                          kind: 'sync',
                          integration: sync.integration,
                          connectionId: sync.connection_id,
                          q: sync.name,
                        })}
                      >
                        {sync.name}
                      </a>
                    </td>
                    <td>
                      <a href={paths.connection(sync.integration, sync.connection_id)}>{sync.connection_id}</a>{' '}
                      <span class="hint">({sync.integration})</span>
                    </td>
                    <td>
                      <StatusBadge status={sync.status.toLowerCase()} />
                    </td>
                    <td class="num">{sync.behind_seconds === null ? '—' : formatDuration(sync.behind_seconds * 1000)}</td>
                    <td>
                      <time dateTime={sync.last_run_at ?? undefined} title={formatTime(sync.last_run_at)}>
                        {ago(sync.last_run_at)}
                      </time>
                    </td>
                    <td>{sync.last_error ?? ''}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      )}
      {value && value.length > BEHIND_SHOWN && (
        <p class="hint">
          The {BEHIND_SHOWN} furthest behind of {value.length > COUNT_UP_TO ? `more than ${COUNT_UP_TO}` : value.length}.
        </p>
      )}
      <p>
        <a href={paths.logs({ kind: 'sync' })}>Every sync run in the logs</a> ·{' '}
        <a href={paths.logs({ kind: 'sync', status: 'failed,timed_out' })}>Failed sync runs</a>
      </p>
    </section>
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
