import { paths } from '../paths';
import type { Operation } from '../types';
import { ago, formatDuration, formatTime } from './format';
import { StatusBadge } from './StatusBadge';

/**
 * Operations as a table, newest first: each row links to its operation page. Rows the live tail just added are
 * marked (`fresh`), for the eye only: the page announces them in its live region.
 */
export function OperationTable(props: { operations: Operation[]; fresh?: ReadonlySet<string>; caption: string; now: number }) {
  return (
    <div class="table-wrap">
      <table class="operations">
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Kind</th>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col">Integration</th>
            <th scope="col">Connection</th>
            <th scope="col" class="num">
              Duration
            </th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {props.operations.map((operation) => (
            <tr key={operation.id} class={props.fresh?.has(operation.id) ? 'row-fresh' : undefined}>
              <td>
                <time dateTime={operation.started_at} title={formatTime(operation.started_at)}>
                  {ago(operation.started_at, props.now)}
                </time>
              </td>
              <td>{operation.kind}</td>
              <td>
                <a href={paths.operation(operation.id)}>{operation.name || operation.id}</a>
              </td>
              <td>
                <StatusBadge status={operation.status} />
              </td>
              <td>{operation.integration ?? '—'}</td>
              <td>
                {operation.integration && operation.connection_id ? (
                  <a href={paths.connection(operation.integration, operation.connection_id)}>{operation.connection_id}</a>
                ) : (
                  (operation.connection_id ?? '—')
                )}
              </td>
              <td class="num">{operation.status === 'running' ? 'running' : formatDuration(operation.duration_ms)}</td>
              <td>{operation.error ? <code title={operation.error.message}>{operation.error.code}</code> : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
