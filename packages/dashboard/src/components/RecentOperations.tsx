import { get } from '../api';
import { paths } from '../paths';
import type { Operation } from '../types';
import { ago, formatDuration, formatTime } from './format';
import { ErrorNotice } from './Notice';
import { StatusBadge } from './StatusBadge';
import { useLoad } from './useLoad';

/** How many of a Connection's operations its page shows; the logs page has the rest. */
const SHOWN = 10;

/** A Connection's latest operations, newest first, each linked to its page, and a link to all of them in the logs. */
export function RecentOperations(props: { integration: string; connectionId: string }) {
  const { integration, connectionId } = props;
  const operations = useLoad(
    async () =>
      (await get<{ operations: Operation[] }>('/logs/operations', { connectionId, integration, limit: SHOWN })).operations,
    [integration, connectionId],
  );
  const list = operations.value;
  return (
    <>
      {operations.error !== undefined && <ErrorNotice error={operations.error} />}
      {!list && operations.loading && <p class="loading">Loading…</p>}
      {list && list.length === 0 && <p class="empty">No operation recorded for this Connection.</p>}
      {list && list.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Latest operations of this Connection</caption>
            <thead>
              <tr>
                <th scope="col">Operation</th>
                <th scope="col">Status</th>
                <th scope="col">Started</th>
                <th scope="col">Duration</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {list.map((operation) => (
                <tr key={operation.id}>
                  <th scope="row" class="row-head">
                    <a href={paths.operation(operation.id)}>
                      {operation.kind} · {operation.name}
                    </a>
                  </th>
                  <td>
                    <StatusBadge status={operation.status} />
                  </td>
                  <td>
                    <time dateTime={operation.started_at} title={formatTime(operation.started_at)}>
                      {ago(operation.started_at)}
                    </time>
                  </td>
                  <td class="num">{formatDuration(operation.duration_ms)}</td>
                  <td>{operation.error ? <code>{operation.error.code}</code> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p>
        <a href={paths.logs({ connectionId, integration })}>All operations of this Connection</a>
      </p>
    </>
  );
}
