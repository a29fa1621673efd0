import type { ComponentChildren } from 'preact';

/**
 * A labelled form field with its hint and its error next to it: the error is tied to the control by
 * aria-describedby and announced (role=alert), so a screen reader says what is wrong and where.
 */
export function Field(props: {
  id: string;
  label: string;
  hint?: string;
  error?: string | null;
  children: (described: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ComponentChildren;
}) {
  const hintId = props.hint ? `${props.id}-hint` : undefined;
  const errorId = props.error ? `${props.id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div class={props.error ? 'field field-invalid' : 'field'}>
      <label for={props.id}>{props.label}</label>
      {props.children({
        id: props.id,
        ...(describedBy && { 'aria-describedby': describedBy }),
        ...(props.error && { 'aria-invalid': true }),
      })}
      {props.hint && (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p class="field-error" id={errorId} role="alert">
          {props.error}
        </p>
      )}
    </div>
  );
}
