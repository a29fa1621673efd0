import { useState } from 'preact/hooks';
import type { IntegrationSummary } from '../connectionTypes';
import { checkFilters, type ConnectionFilters, type FilterErrors } from '../checks/connectionFilters';
import { Field } from './Field';

const FIELD_IDS: Record<keyof FilterErrors, string> = {
  search: 'filter-search',
  integrationId: 'filter-integration',
  endUserId: 'filter-end-user',
  tag: 'filter-tag',
};

/**
 * The Connections list's filters. It edits a draft; submitting checks it (a message next to each wrong field, focus
 * on the first, no request) and hands the filters to the page, which puts them in the address. `errors` are the
 * address's own problems and the server's, shown until the operator submits again. Give it a `key` of the address
 * so it starts again from the address when that changes (back, a link).
 */
export function ConnectionFilterForm(props: {
  filters: ConnectionFilters;
  errors: FilterErrors;
  integrations: IntegrationSummary[] | undefined;
  onSubmit: (filters: ConnectionFilters) => void;
  onClear: () => void;
}) {
  const [draft, setDraft] = useState(props.filters);
  const [errors, setErrors] = useState<FilterErrors | null>(null);
  const shown = errors ?? props.errors;
  const set = (change: Partial<ConnectionFilters>) => setDraft((previous) => ({ ...previous, ...change }));

  const submit = (event: Event) => {
    event.preventDefault();
    const found = checkFilters(draft);
    setErrors(found);
    const first = (Object.keys(FIELD_IDS) as Array<keyof FilterErrors>).find((field) => found[field]);
    if (first) {
      document.getElementById(FIELD_IDS[first])?.focus();
      return;
    }
    props.onSubmit({ ...draft, page: 1 });
  };

  const integrations = props.integrations ?? [];
  const known = integrations.some((integration) => integration.unique_key === draft.integrationId);
  return (
    <form class="filters connection-filters" onSubmit={submit} noValidate aria-label="Filter Connections">
      <Field id={FIELD_IDS.search} label="Search" hint="Connection id, or end user id, email or name" error={shown.search}>
        {(attributes) => (
          <input
            {...attributes}
            type="search"
            value={draft.search}
            onInput={(event) => set({ search: event.currentTarget.value })}
          />
        )}
      </Field>
      <Field id={FIELD_IDS.integrationId} label="Integration" error={shown.integrationId}>
        {(attributes) => (
          <select
            {...attributes}
            value={draft.integrationId}
            onChange={(event) => set({ integrationId: event.currentTarget.value })}
          >
            <option value="">All integrations</option>
            {integrations.map((integration) => (
              <option key={integration.unique_key} value={integration.unique_key}>
                {integration.unique_key}
                {integration.display_name !== integration.unique_key ? ` (${integration.display_name})` : ''}
              </option>
            ))}
            {draft.integrationId !== '' && !known && <option value={draft.integrationId}>{draft.integrationId}</option>}
          </select>
        )}
      </Field>
      <Field id={FIELD_IDS.endUserId} label="End user id" error={shown.endUserId}>
        {(attributes) => (
          <input
            {...attributes}
            type="text"
            value={draft.endUserId}
            onInput={(event) => set({ endUserId: event.currentTarget.value })}
          />
        )}
      </Field>
      <Field id={FIELD_IDS.tag} label="Tag" hint="key=value" error={shown.tag}>
        {(attributes) => (
          <input
            {...attributes}
            type="text"
            placeholder="plan=pro"
            value={draft.tag}
            onInput={(event) => set({ tag: event.currentTarget.value })}
          />
        )}
      </Field>
      <div class="field field-check">
        <label>
          <input
            type="checkbox"
            checked={draft.needsReauthorization}
            onChange={(event) => set({ needsReauthorization: event.currentTarget.checked })}
          />{' '}
          Needs reauthorization only
        </label>
      </div>
      <div class="filter-buttons">
        <button type="submit" class="primary">
          Filter
        </button>
        <button type="button" onClick={props.onClear}>
          Clear
        </button>
      </div>
    </form>
  );
}
