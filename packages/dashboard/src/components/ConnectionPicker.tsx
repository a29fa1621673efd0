import { useState } from 'preact/hooks';
import { get } from '../api';
import type { ConnectionChoice } from '../integrationTypes';
import { Field } from './Field';
import { ErrorNotice } from './Notice';
import { useDebounced } from './useDebounced';
import { useLoad } from './useLoad';

/** A page of matches: enough to pick from, small whatever the number of Connections. */
const PAGE = 20;

/**
 * Finds a Connection of one integration by search (`GET /connections?integrationId=&search=&limit=20`: its id, or
 * the end user's id, email or name), never by loading the whole list; the pick is a radio button. A Connection
 * named by the URL is checked the same way (`connectionId=`), so a stale link says so before anything runs.
 */
export function ConnectionPicker(props: {
  integration: string;
  selected: string;
  onSelect: (connectionId: string) => void;
  error?: string | null;
}) {
  const [search, setSearch] = useState('');
  const settled = useDebounced(search.trim());
  const found = useLoad(
    () =>
      get<{ connections: ConnectionChoice[] }>('/connections', {
        integrationId: props.integration,
        search: settled,
        limit: PAGE,
      }),
    [props.integration, settled],
  );
  const picked = useLoad(
    () =>
      props.selected
        ? get<{ connections: ConnectionChoice[] }>('/connections', {
            integrationId: props.integration,
            connectionId: props.selected,
            limit: 1,
          })
        : Promise.resolve({ connections: [] }),
    [props.integration, props.selected],
  );
  const matches = found.value?.connections ?? [];
  const missing = props.selected !== '' && picked.value !== undefined && picked.value.connections.length === 0;
  const problem = props.error ?? (missing ? `No Connection '${props.selected}' of ${props.integration}: pick another.` : null);
  const errorId = problem ? 'connection-error' : undefined;
  return (
    <fieldset class="picker" aria-describedby={errorId}>
      <legend>Connection</legend>
      <Field id="connection-search" label="Search Connections" hint="By Connection id, or the end user's id, email or name">
        {(attributes) => (
          <input
            {...attributes}
            type="search"
            autoComplete="off"
            value={search}
            onInput={(event) => setSearch(event.currentTarget.value)}
            onKeyDown={(event) => event.key === 'Enter' && event.preventDefault()}
          />
        )}
      </Field>
      {found.error !== undefined && <ErrorNotice error={found.error} />}
      <p class="hint" role="status">
        {found.loading && !found.value
          ? 'Searching…'
          : matches.length === 0
            ? settled
              ? 'No Connection matches.'
              : `${props.integration} has no Connections yet.`
            : matches.length >= PAGE
              ? `The first ${PAGE} matches are listed: type more to narrow them.`
              : `${matches.length} match${matches.length === 1 ? '' : 'es'}.`}
      </p>
      {matches.length > 0 && (
        <div class="choice-list">
          {matches.map((connection) => (
            <label key={connection.connection_id} class="choice">
              <input
                type="radio"
                name="connection"
                value={connection.connection_id}
                checked={props.selected === connection.connection_id}
                onChange={() => props.onSelect(connection.connection_id)}
              />
              <span class="choice-text">
                <code>{connection.connection_id}</code>
                {connection.end_user && (
                  <span class="subtle">
                    {' '}
                    {connection.end_user.display_name ?? connection.end_user.email ?? connection.end_user.id}
                  </span>
                )}
              </span>
            </label>
          ))}
        </div>
      )}
      {props.selected && !missing && (
        <p class="picked">
          Picked: <code>{props.selected}</code>
        </p>
      )}
      {problem && (
        <p class="field-error" id={errorId} role="alert">
          {problem}
        </p>
      )}
    </fieldset>
  );
}
