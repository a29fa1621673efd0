import type { ConnectionListItem } from '../connectionTypes';
import { paths } from '../paths';
import { AuthStateBadge } from './AuthStateBadge';
import { EndUserText } from './EndUserText';
import { formatTime } from './format';
import { TagList } from './TagList';

/** One page of Connections: each id links to its page; every value is shown as text. */
export function ConnectionsTable(props: { connections: ConnectionListItem[]; busy: boolean }) {
  return (
    <div class="table-wrap" aria-busy={props.busy}>
      <table>
        <caption class="visually-hidden">Connections</caption>
        <thead>
          <tr>
            <th scope="col">Connection id</th>
            <th scope="col">Integration</th>
            <th scope="col">Provider</th>
            <th scope="col">End user</th>
            <th scope="col">Tags</th>
            <th scope="col">Created</th>
            <th scope="col">Authorization</th>
          </tr>
        </thead>
        <tbody>
          {props.connections.map((connection) => (
            <tr key={connection.id}>
              <th scope="row" class="row-head">
                <a href={paths.connection(connection.provider_config_key, connection.connection_id)}>
                  {connection.connection_id}
                </a>
              </th>
              <td>{connection.provider_config_key}</td>
              <td>{connection.provider}</td>
              <td>
                <EndUserText endUser={connection.end_user} />
              </td>
              <td>
                <TagList tags={connection.tags} />
              </td>
              <td>
                <time dateTime={connection.created} title={connection.created}>
                  {formatTime(connection.created)}
                </time>
              </td>
              <td>
                <AuthStateBadge connection={connection} withReason />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
