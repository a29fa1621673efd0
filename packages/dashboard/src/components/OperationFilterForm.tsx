import { useEffect, useState } from 'preact/hooks';
import { paths } from '../paths';
import { Field } from './Field';
import {
  checkFilters,
  listOf,
  OPERATION_KINDS,
  OPERATION_STATUSES,
  type FilterErrors,
  type FilterName,
  type Filters,
} from './operationFilters';

const TEXT_FIELDS: Array<{ name: FilterName; label: string; hint?: string }> = [
  { name: 'integration', label: 'Integration' },
  { name: 'connectionId', label: 'Connection id' },
  { name: 'endUserId', label: 'End user id' },
  { name: 'errorCode', label: 'Error code', hint: 'http_429, action_timeout…' },
];
const TIME_HINT = 'An age (30m, 2h, 7d), a local date and time (2026-01-31 14:30) or epoch ms.';

/**
 * Every filter of the logs API as a form. The filters it is given are the page's (from its URL); a submit checks the
 * new ones first (a wrong time, a `to` before `from`) and hands them on only when they are right, so the page's URL
 * never holds a query the form has not checked. `errors` are the page's problems with the URL's filters.
 */
export function OperationFilterForm(props: { filters: Filters; errors: FilterErrors; onApply: (filters: Filters) => void }) {
  const [draft, setDraft] = useState<Filters>(props.filters);
  const [draftErrors, setDraftErrors] = useState<FilterErrors | null>(null);
  const key = JSON.stringify(props.filters);
  // Back, forward, or a link: the form shows the URL's filters again.
  useEffect(() => {
    setDraft(props.filters);
    setDraftErrors(null);
  }, [key]);

  const errors = draftErrors ?? props.errors;
  const set = (name: FilterName, value: string) => setDraft((previous) => ({ ...previous, [name]: value }));

  const submit = (event: Event) => {
    event.preventDefault();
    const found = checkFilters(draft, Date.now()).errors;
    const first = (Object.keys(found) as FilterName[])[0];
    if (first) {
      setDraftErrors(found);
      // The error is announced (role=alert); focus goes to what needs fixing.
      setTimeout(() => document.getElementById(controlId(first))?.focus(), 0);
      return;
    }
    setDraftErrors(null);
    props.onApply(draft);
  };

  const text = (name: FilterName, label: string, hint?: string) => (
    <Field id={controlId(name)} label={label} hint={hint} error={errors[name]}>
      {(attributes) => (
        <input
          {...attributes}
          type="text"
          name={name}
          value={draft[name] ?? ''}
          onInput={(event) => set(name, event.currentTarget.value)}
          autoComplete="off"
        />
      )}
    </Field>
  );

  return (
    <form class="filters operation-filters" onSubmit={submit} noValidate aria-label="Filter the operations">
      <div class="filters-search">
        {text('q', 'Search', 'Words in a message, or in the name and error; end a word with * for a prefix.')}
      </div>
      <Choices
        name="status"
        legend="Status"
        options={OPERATION_STATUSES}
        value={draft.status}
        error={errors.status}
        onChange={set}
      />
      <Choices name="kind" legend="Kind" options={OPERATION_KINDS} value={draft.kind} error={errors.kind} onChange={set} />
      {TEXT_FIELDS.map((field) => (
        <div key={field.name}>{text(field.name, field.label, field.hint)}</div>
      ))}
      <div class="filters-times">
        {text('from', 'From', TIME_HINT)}
        {text('to', 'To', TIME_HINT)}
      </div>
      <div class="filters-buttons">
        <button type="submit" class="primary">
          Apply filters
        </button>
        <a class="button" href={paths.logs()}>
          Clear
        </a>
      </div>
    </form>
  );
}

/** The id of a filter's control (and the start of its hint's and error's ids). */
export function controlId(name: FilterName): string {
  return `filter-${name}`;
}

/** A comma-separated filter (`kind`, `status`) as a group of checkboxes: none checked is "any". */
function Choices(props: {
  name: 'kind' | 'status';
  legend: string;
  options: readonly string[];
  value: string | undefined;
  error: string | undefined;
  onChange: (name: FilterName, value: string) => void;
}) {
  const chosen = listOf(props.value);
  const errorId = `${controlId(props.name)}-error`;
  const toggle = (option: string, on: boolean) => {
    const next = on ? [...chosen, option] : chosen.filter((item) => item !== option);
    // In the options' order, so the same choice always makes the same URL.
    props.onChange(props.name, props.options.filter((item) => next.includes(item)).join(','));
  };
  return (
    <fieldset
      class={props.error ? 'choices field-invalid' : 'choices'}
      id={controlId(props.name)}
      tabIndex={-1}
      aria-describedby={props.error ? errorId : undefined}
    >
      <legend>
        {props.legend} <span class="hint">(none: any)</span>
      </legend>
      {props.options.map((option) => (
        <label key={option}>
          <input
            type="checkbox"
            name={props.name}
            value={option}
            checked={chosen.includes(option)}
            onChange={(event) => toggle(option, event.currentTarget.checked)}
          />{' '}
          {option.replace(/_/g, ' ')}
        </label>
      ))}
      {props.error && (
        <p class="field-error" id={errorId} role="alert">
          {props.error}
        </p>
      )}
    </fieldset>
  );
}
