import { useState } from 'preact/hooks';
import { get } from '../api';
import type { Provider } from '../integrationTypes';
import { Field } from './Field';
import { ErrorNotice } from './Notice';
import { useDebounced } from './useDebounced';
import { useLoad } from './useLoad';

/** A list of a few dozen choices reads well; past that the search should narrow it. */
export const MAX_SHOWN = 50;

/**
 * Search the providers catalog and pick one. The server does the search (`GET /providers?search=`, by name or
 * display name, any case), once typing pauses; at most MAX_SHOWN matches are listed, as radio buttons (one choice,
 * arrow keys move between them). No logos: the catalog's logo URLs are on another host.
 */
export function ProviderPicker(props: {
  selected: Provider | null;
  onSelect: (provider: Provider) => void;
  error?: string | null;
}) {
  const [search, setSearch] = useState('');
  const settled = useDebounced(search.trim());
  const loaded = useLoad(() => get<{ data: Provider[] }>('/providers', { search: settled }), [settled]);
  const found = loaded.value?.data ?? [];
  const shown = found.slice(0, MAX_SHOWN);
  const errorId = props.error ? 'provider-error' : undefined;
  return (
    <fieldset class="picker" aria-describedby={errorId}>
      <legend>Provider</legend>
      <Field id="provider-search" label="Search the catalog" hint="By name or display name, e.g. github or Google">
        {(attributes) => (
          <input
            {...attributes}
            type="search"
            autoComplete="off"
            value={search}
            onInput={(event) => setSearch(event.currentTarget.value)}
            // Enter searches (it already did, as the person typed); it must not submit the form around the picker.
            onKeyDown={(event) => event.key === 'Enter' && event.preventDefault()}
          />
        )}
      </Field>
      {loaded.error !== undefined && <ErrorNotice error={loaded.error} />}
      <p class="hint" role="status">
        {loaded.loading && !loaded.value
          ? 'Searching…'
          : found.length === 0
            ? 'No provider matches.'
            : found.length > MAX_SHOWN
              ? `${found.length} providers match; the first ${MAX_SHOWN} are listed: type more to narrow it.`
              : `${found.length} provider${found.length === 1 ? '' : 's'} match.`}
      </p>
      {shown.length > 0 && (
        <div class="choice-list">
          {shown.map((provider) => (
            <label key={provider.name} class="choice">
              <input
                type="radio"
                name="provider"
                value={provider.name}
                checked={props.selected?.name === provider.name}
                onChange={() => props.onSelect(provider)}
              />
              <span class="choice-text">
                <span class="choice-name">{provider.display_name ?? provider.name}</span> <code>{provider.name}</code>
              </span>
              <span class="badge">{provider.auth_mode}</span>
            </label>
          ))}
        </div>
      )}
      {props.selected && (
        <p class="picked">
          Picked: <strong>{props.selected.display_name ?? props.selected.name}</strong> (<code>{props.selected.name}</code>,{' '}
          {props.selected.auth_mode})
        </p>
      )}
      {props.error && (
        <p class="field-error" id={errorId} role="alert">
          {props.error}
        </p>
      )}
    </fieldset>
  );
}
