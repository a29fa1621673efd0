import { useEffect, useState } from 'preact/hooks';
import { get, request } from '../api';
import type { SyncStatus } from '../connectionTypes';
import { ago, formatTime } from './format';
import { ErrorNotice } from './Notice';
import { StatusBadge } from './StatusBadge';
import { useLoad } from './useLoad';

/** How often the status is read again while a triggered run is watched, and for how long at most. */
const POLL_MS = 1500;
const WATCH_FOR_MS = 5 * 60_000;

type SyncAction = 'trigger' | 'pause' | 'start';

/** A run being watched after Trigger: done when the sync was seen running and is no more, or a new run finished. */
interface Watch {
  key: string;
  label: string;
  finishedBefore: string | null;
  sawRunning: boolean;
  since: number;
}

const keyOf = (sync: SyncStatus) => `${sync.name}::${sync.variant}`;
const labelOf = (sync: SyncStatus) => (sync.variant === 'base' ? sync.name : `${sync.name} (${sync.variant})`);

/**
 * A Connection's syncs (`GET /sync/status?syncs=*`): status, last and next run, record counts, and Trigger / Pause /
 * Start. After Trigger the status is read every POLL_MS until the run ends; each step is said in a live region.
 */
export function ConnectionSyncs(props: { integration: string; connectionId: string }) {
  const { integration, connectionId } = props;
  const status = useLoad(
    async () =>
      (
        await get<{ syncs: SyncStatus[] }>('/sync/status', {
          provider_config_key: integration,
          connection_id: connectionId,
          syncs: '*',
        })
      ).syncs,
    [integration, connectionId],
  );
  const [watch, setWatch] = useState<Watch | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [said, setSaid] = useState('');
  const [failure, setFailure] = useState<unknown>(null);

  useEffect(() => {
    if (!watch) return;
    const timer = setInterval(() => {
      if (Date.now() - watch.since <= WATCH_FOR_MS) return status.reload();
      setWatch(null);
      setSaid(`${watch.label} has not finished yet; stopped watching. Reload the page to check again.`);
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [watch?.key, watch?.since]);

  // Each new status read moves the watched run on.
  useEffect(() => {
    if (!watch || !status.value) return;
    const sync = status.value.find((entry) => keyOf(entry) === watch.key);
    if (!sync) {
      setWatch(null);
      setSaid(`${watch.label}: no longer listed.`);
    } else if (sync.status === 'RUNNING') {
      if (!watch.sawRunning) {
        setWatch({ ...watch, sawRunning: true });
        setSaid(`${watch.label} is running…`);
      }
    } else if (watch.sawRunning || sync.finishedAt !== watch.finishedBefore) {
      setWatch(null);
      setSaid(`${watch.label} finished: ${sync.status.toLowerCase()}, ${describeCounts(sync.recordCount)}.`);
    }
  }, [status.value]);

  const act = async (sync: SyncStatus, action: SyncAction) => {
    const label = labelOf(sync);
    setBusy(`${keyOf(sync)}:${action}`);
    setFailure(null);
    try {
      await request('POST', `/sync/${action}`, {
        body: {
          syncs: [{ name: sync.name, variant: sync.variant }],
          provider_config_key: integration,
          connection_id: connectionId,
        },
      });
      if (action === 'trigger') {
        setWatch({ key: keyOf(sync), label, finishedBefore: sync.finishedAt, sawRunning: false, since: Date.now() });
        setSaid(`${label} triggered; waiting for the run…`);
      } else {
        setSaid(action === 'pause' ? `${label} paused.` : `${label} started.`);
      }
      status.reload();
    } catch (error) {
      setFailure(error);
      setSaid(`${label}: ${action} failed.`);
    } finally {
      setBusy(null);
    }
  };

  const syncs = status.value;
  return (
    <>
      <p class="live-status" role="status" aria-live="polite">
        {said}
      </p>
      {failure !== null && <ErrorNotice error={failure} />}
      {status.error !== undefined && <ErrorNotice error={status.error} />}
      {!syncs && status.loading && <p class="loading">Loading…</p>}
      {syncs && syncs.length === 0 && (
        <p class="empty">No sync: the integration declares none, or none was started for this Connection.</p>
      )}
      {syncs && syncs.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Syncs of this Connection</caption>
            <thead>
              <tr>
                <th scope="col">Sync</th>
                <th scope="col">Status</th>
                <th scope="col">Last run</th>
                <th scope="col">Next run</th>
                <th scope="col">Frequency</th>
                <th scope="col">Records</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {syncs.map((sync) => (
                <tr key={keyOf(sync)}>
                  <th scope="row" class="row-head">
                    {labelOf(sync)}
                  </th>
                  <td>
                    <StatusBadge status={sync.status.toLowerCase()} />
                  </td>
                  <td>{sync.finishedAt ? <TimeAgo iso={sync.finishedAt} /> : 'never'}</td>
                  <td>{sync.nextScheduledSyncAt ? <TimeAgo iso={sync.nextScheduledSyncAt} /> : '—'}</td>
                  <td>{sync.frequency}</td>
                  <td>{describeCounts(sync.recordCount)}</td>
                  <td class="row-actions">
                    {(['trigger', 'pause', 'start'] as const).map((action) => (
                      <button
                        key={action}
                        type="button"
                        disabled={busy !== null || (action === 'pause' && sync.status === 'PAUSED')}
                        aria-label={`${ACTION_WORDS[action]} ${labelOf(sync)}`}
                        onClick={() => void act(sync, action)}
                      >
                        {ACTION_WORDS[action]}
                      </button>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

const ACTION_WORDS: Record<SyncAction, string> = { trigger: 'Trigger', pause: 'Pause', start: 'Start' };

function describeCounts(counts: Record<string, number>): string {
  const models = Object.keys(counts).sort();
  if (models.length === 0) return 'no records';
  return models.map((model) => `${model}: ${counts[model]}`).join(', ');
}

function TimeAgo(props: { iso: string }) {
  return (
    <time dateTime={props.iso} title={formatTime(props.iso)}>
      {ago(props.iso)}
    </time>
  );
}
