import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { Layout } from '../Layout';
import { ErrorNotice, Notice } from '../components/Notice';
import { OperationFilterForm } from '../components/OperationFilterForm';
import { OperationTable } from '../components/OperationTable';
import { checkFilters, filterOfError, filtersOf, type FilterErrors, type Filters } from '../components/operationFilters';
import { useOperationPages } from '../components/useOperationPages';
import { useOperationTail, type TailState } from '../components/useOperationTail';
import { paths } from '../paths';
import type { Operation } from '../types';

/** How long new rows stay marked, and how often the announcements of the tail are gathered into one. */
const FRESH_MS = 4000;
const ANNOUNCE_MS = 1500;

const TAIL_WORDS: Record<TailState, string> = {
  off: '',
  connecting: 'Connecting to the live tail…',
  live: 'Live: new operations appear at the top as they start and end.',
  reconnecting: 'The live tail lost the server; reconnecting…',
  stopped: 'The live tail stopped.',
};

/**
 * The operations log, newest first, paged by the API, with every filter of `GET /logs/operations` kept in the URL
 * (so a filtered list can be linked), and a live tail (`GET /logs/tail`) that adds operations as they start and
 * updates them as they end.
 */
export function Logs() {
  const location = useLocation();
  const filters = useMemo(() => filtersOf(location.query), [location.url]);
  // The ages (`2h`) count back from when the URL was read; "Refresh" reads them again.
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => setNow(Date.now()), [location.url]);
  const checked = useMemo(() => checkFilters(filters, now), [filters, now]);
  const valid = Object.keys(checked.errors).length === 0;
  const pages = useOperationPages(valid ? checked.query : null);

  const [tailOn, setTailOn] = useState(false);
  // A tail up to a past `to` would never send anything.
  const tailBlocked = filters.to !== undefined;
  const { fresh, announcement, onOperation } = useTailAnnouncements(pages.upsert);
  const tail = useOperationTail(valid && tailOn && !tailBlocked ? checked.query : null, onOperation);

  // Relative times ("3 min ago") move on: a render every 30 s (and on every change) reads the clock again.
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((tick) => tick + 1), 30_000);
    return () => clearInterval(timer);
  }, []);

  const serverField = filterOfError(pages.error);
  const errors: FilterErrors = serverField
    ? { ...checked.errors, [serverField]: (pages.error as Error).message }
    : checked.errors;

  const apply = (next: Filters) => {
    const url = paths.logs(next as Record<string, string>);
    if (url === location.url) {
      setNow(Date.now());
      pages.reload();
    } else location.route(url);
  };

  const filtered = Object.keys(filters).length > 0;
  return (
    <Layout
      title="Logs"
      actions={
        <>
          <button
            type="button"
            aria-pressed={tailOn}
            disabled={tailBlocked || !valid}
            aria-describedby={tailBlocked ? 'tail-blocked' : undefined}
            onClick={() => setTailOn((on) => !on)}
          >
            {tailOn ? 'Stop live tail' : 'Live tail'}
          </button>
          <button
            type="button"
            onClick={() => {
              setNow(Date.now());
              pages.reload();
            }}
          >
            Refresh
          </button>
        </>
      }
    >
      {tailBlocked && (
        <p class="hint" id="tail-blocked">
          The live tail follows new operations: clear 'To' to use it.
        </p>
      )}
      <OperationFilterForm filters={filters} errors={errors} onApply={apply} />
      <div class="tail-status" role="status">
        {tailOn && !tailBlocked && TAIL_WORDS[tail.state]}
      </div>
      <div class="visually-hidden" aria-live="polite">
        {announcement}
      </div>
      {tailOn && tail.problem !== null && <ErrorNotice error={tail.problem} />}
      {pages.error !== undefined && serverField === null && <ErrorNotice error={pages.error} />}
      {!valid && <Notice kind="info">Fix the filters marked above to see the operations.</Notice>}
      {valid && pages.loading && pages.operations.length === 0 && <p class="loading">Loading operations…</p>}
      {valid && !pages.loading && pages.error === undefined && pages.operations.length === 0 && (
        <p class="empty">{filtered ? 'No operation matches these filters.' : 'No operation recorded yet.'}</p>
      )}
      {pages.operations.length > 0 && (
        <OperationTable
          operations={pages.operations}
          fresh={fresh}
          now={Date.now()}
          caption={filtered ? 'Operations matching the filters, newest first' : 'Operations, newest first'}
        />
      )}
      <div class="pager">
        {pages.trimmed ? (
          <>
            <span class="hint">The live tail pushed the oldest rows out of this list.</span>
            <button type="button" onClick={pages.reload}>
              Start again from the newest
            </button>
          </>
        ) : (
          pages.hasMore && (
            <button type="button" onClick={pages.loadMore} disabled={pages.loadingMore}>
              {pages.loadingMore ? 'Loading…' : 'Load older operations'}
            </button>
          )
        )}
        {pages.operations.length > 0 && (
          <span class="hint">
            {pages.operations.length} shown{pages.hasMore ? '; older ones remain' : ''}
          </span>
        )}
      </div>
    </Layout>
  );
}

/**
 * What the live tail brought, for the eye (rows marked for a few seconds) and for the ear: one polite
 * announcement per short while ("2 new operations; 1 ended: failed"), never one per event.
 */
function useTailAnnouncements(upsert: (operation: Operation) => 'added' | 'updated' | 'same') {
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const [announcement, setAnnouncement] = useState('');
  const pending = useRef({ added: 0, ended: [] as string[] });
  const announcing = useRef(false);
  const timers = useRef(new Set<ReturnType<typeof setTimeout>>());
  useEffect(() => () => timers.current.forEach(clearTimeout), []);

  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.current.delete(timer);
      run();
    }, ms);
    timers.current.add(timer);
  };

  const onOperation = (operation: Operation) => {
    const outcome = upsert(operation);
    if (outcome === 'same') return;
    if (outcome === 'added') pending.current.added++;
    if (operation.status !== 'running') pending.current.ended.push(operation.status.replace(/_/g, ' '));
    setFresh((previous) => new Set(previous).add(operation.id));
    later(FRESH_MS, () =>
      setFresh((previous) => {
        const next = new Set(previous);
        next.delete(operation.id);
        return next;
      }),
    );
    if (announcing.current) return; // this one joins the announcement on its way
    announcing.current = true;
    later(ANNOUNCE_MS, () => {
      announcing.current = false;
      const { added, ended } = pending.current;
      pending.current = { added: 0, ended: [] };
      const parts: string[] = [];
      if (added > 0) parts.push(`${added} new operation${added === 1 ? '' : 's'}`);
      if (ended.length > 0) parts.push(`${ended.length} ended: ${summary(ended)}`);
      if (parts.length > 0) setAnnouncement(parts.join('; '));
    });
  };
  return { fresh, announcement, onOperation };
}

/** "2 success, 1 failed". */
function summary(statuses: string[]): string {
  const counts = new Map<string, number>();
  for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts].map(([status, count]) => `${count} ${status}`).join(', ');
}
