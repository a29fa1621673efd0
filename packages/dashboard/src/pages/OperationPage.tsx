import { Fragment } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { ApiError, get } from '../api';
import { Layout } from '../Layout';
import { formatDuration, formatTime } from '../components/format';
import { MessageTimeline, shown } from '../components/MessageTimeline';
import { ErrorNotice } from '../components/Notice';
import { StatusBadge } from '../components/StatusBadge';
import { paths } from '../paths';
import type { Operation, OperationMessage } from '../types';

/** How often a running operation is read again, and the most messages such a read takes. */
const FOLLOW_MS = 2000;
const MESSAGES_PAGE = 100;
const MAX_MESSAGES = 1000;

interface Reply {
  operation: Operation;
  messages: OperationMessage[];
  next_messages_cursor: string | null;
}

/**
 * One operation (`GET /logs/operations/:id`): its facts, its error first when it has one, its messages as a
 * timeline (paged by the API), and links to the operations around it. A running operation is read again every few
 * seconds until it ends; its end is announced.
 */
export function OperationPage() {
  const id = useRoute().params['operationId'] ?? '';
  const { data, error, loadingMore, loadMore } = useOperation(id);
  const operation = data?.operation;
  const title = operation ? `${operation.kind} ${operation.name}` : 'Operation';
  return (
    <Layout title={title}>
      {error !== undefined && <ErrorNotice error={error} />}
      {!data && error === undefined && <p class="loading">Loading the operation…</p>}
      {data && operation && (
        <>
          <EndAnnouncement operation={operation} />
          {operation.error && (
            <section class="notice notice-error operation-error" aria-labelledby="operation-error">
              <h2 id="operation-error">
                {operation.status === 'timed_out' ? 'Timed out' : 'Failed'}: <code>{operation.error.code}</code>
              </h2>
              <p class="message-text">{operation.error.message}</p>
            </section>
          )}
          <OperationFacts operation={operation} />
          <OperationLinks operation={operation} />
          <h2>Messages</h2>
          {data.messages.length === 0 ? (
            <p class="empty">No message was written for this operation.</p>
          ) : (
            <MessageTimeline messages={data.messages} startedAt={operation.started_at} />
          )}
          {data.next_messages_cursor !== null && (
            <div class="pager">
              <button type="button" onClick={loadMore} disabled={loadingMore}>
                {loadingMore ? 'Loading…' : 'Load more messages'}
              </button>
              <span class="hint">{data.messages.length} shown</span>
            </div>
          )}
        </>
      )}
    </Layout>
  );
}

/** How often, and how far apart, a missing operation is asked for again before the page says it is not found. */
const NOT_YET_WRITTEN_TRIES = 10;
const NOT_YET_WRITTEN_MS = 300;

/** Reads the operation and its first messages; again every FOLLOW_MS while it runs; more messages on demand. */
function useOperation(id: string) {
  const [data, setData] = useState<Reply | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [loadingMore, setLoadingMore] = useState(false);
  const latest = useRef<Reply | null>(null);
  latest.current = data;
  const path = `/logs/operations/${encodeURIComponent(id)}`;

  useEffect(() => {
    let current = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setData(null);
    setError(undefined);
    const read = async () => {
      // Again as many messages as are shown (the pages loaded so far), so following does not drop any.
      const shownCount = latest.current?.messages.length ?? 0;
      const limit = Math.min(MAX_MESSAGES, Math.max(MESSAGES_PAGE, shownCount));
      try {
        const reply = await get<Reply>(path, { messagesLimit: limit });
        if (!current) return;
        const before = latest.current;
        // When more messages are shown than this read holds (past MAX_MESSAGES, or "Load more" answered while it
        // was on its way), the operation's facts are taken and the messages kept.
        const next = before && before.messages.length > reply.messages.length ? { ...before, operation: reply.operation } : reply;
        latest.current = next;
        setData(next);
        setError(undefined);
        if (reply.operation.status === 'running') timer = setTimeout(() => void read(), FOLLOW_MS);
      } catch (failure) {
        if (!current) return;
        // The log is written in batches, a few hundred milliseconds after the run: an operation linked from a run
        // that just ended (Try an action) may not be stored yet. Asked again for a while before "not found".
        if (failure instanceof ApiError && failure.status === 404 && misses < NOT_YET_WRITTEN_TRIES) {
          misses += 1;
          timer = setTimeout(() => void read(), NOT_YET_WRITTEN_MS);
          return;
        }
        setError(failure);
      }
    };
    let misses = 0;
    void read();
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [id]);

  const loadMore = () => {
    const shownNow = latest.current;
    if (!shownNow || shownNow.next_messages_cursor === null || loadingMore) return;
    setLoadingMore(true);
    get<Reply>(path, { messagesLimit: MESSAGES_PAGE, messagesCursor: shownNow.next_messages_cursor }).then(
      (page) => {
        setLoadingMore(false);
        const base = latest.current ?? shownNow;
        setData({ ...base, messages: [...base.messages, ...page.messages], next_messages_cursor: page.next_messages_cursor });
      },
      (failure: unknown) => {
        setLoadingMore(false);
        setError(failure);
      },
    );
  };
  return { data, error, loadingMore, loadMore };
}

/** Says "the operation ended: failed" when a followed operation ends, politely (a live region). */
function EndAnnouncement(props: { operation: Operation }) {
  const [said, setSaid] = useState('');
  const was = useRef(props.operation.status);
  useEffect(() => {
    if (was.current === 'running' && props.operation.status !== 'running') {
      setSaid(`The operation ended: ${props.operation.status.replace(/_/g, ' ')}.`);
    }
    was.current = props.operation.status;
  }, [props.operation.status]);
  return (
    <div class="visually-hidden" aria-live="polite">
      {said}
    </div>
  );
}

function OperationFacts(props: { operation: Operation }) {
  const operation = props.operation;
  const fields = Object.entries(operation.fields ?? {});
  const running = operation.status === 'running';
  return (
    <>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={operation.status} />
        </dd>
        <dt>Kind</dt>
        <dd>{operation.kind}</dd>
        <dt>Name</dt>
        <dd>{operation.name}</dd>
        <dt>Integration</dt>
        <dd>{operation.integration ? <a href={paths.integration(operation.integration)}>{operation.integration}</a> : '—'}</dd>
        <dt>Connection</dt>
        <dd>
          {operation.integration && operation.connection_id ? (
            <a href={paths.connection(operation.integration, operation.connection_id)}>{operation.connection_id}</a>
          ) : (
            (operation.connection_id ?? '—')
          )}
        </dd>
        <dt>End user</dt>
        <dd>{operation.end_user_id ?? '—'}</dd>
        <dt>Started</dt>
        <dd>
          <time dateTime={operation.started_at}>{formatTime(operation.started_at)}</time>
        </dd>
        <dt>Ended</dt>
        <dd>
          {operation.ended_at ? <time dateTime={operation.ended_at}>{formatTime(operation.ended_at)}</time> : 'still running'}
        </dd>
        <dt>Duration</dt>
        <dd>
          {running
            ? `running for ${formatDuration(Date.now() - Date.parse(operation.started_at))}`
            : formatDuration(operation.duration_ms)}
        </dd>
        <dt>Trace id</dt>
        <dd>{operation.trace_id ? <code>{operation.trace_id}</code> : '—'}</dd>
        <dt>Part of</dt>
        <dd>{operation.parent_id ? <a href={paths.operation(operation.parent_id)}>{operation.parent_id}</a> : '—'}</dd>
        <dt>Operation id</dt>
        <dd>
          <code>{operation.id}</code>
        </dd>
      </dl>
      <h2>Fields</h2>
      {fields.length === 0 ? (
        <p class="empty">None.</p>
      ) : (
        <dl class="facts">
          {fields.map(([name, value]) => (
            <Fragment key={name}>
              <dt>{name}</dt>
              <dd>
                <code>{shown(value)}</code>
              </dd>
            </Fragment>
          ))}
        </dl>
      )}
    </>
  );
}

/** Where to look next: the Connection's other operations, and the other runs of the same action or sync. */
function OperationLinks(props: { operation: Operation }) {
  const { kind, name, integration, connection_id: connectionId } = props.operation;
  const runs = kind === 'action' || kind === 'sync';
  if (!connectionId && !runs) return null;
  return (
    <nav aria-label="Related operations" class="related">
      <ul>
        {connectionId && (
          <li>
            <a href={paths.logs({ ...(integration && { integration }), connectionId })}>Other operations of this Connection</a>
          </li>
        )}
        {runs && (
          <li>
            <a href={paths.logs({ kind, ...(integration && { integration }), q: name })}>
              Other runs of the {kind} {name}
            </a>{' '}
            <span class="hint">(a search for its name)</span>
          </li>
        )}
      </ul>
    </nav>
  );
}
