import type { ComponentChildren } from 'preact';
import { ApiError } from '../api';
import { paths } from '../paths';

/** A message box: an error (role=alert), a success or a plain note (role=status). */
export function Notice(props: { kind: 'error' | 'success' | 'info'; children: ComponentChildren }) {
  return (
    <div class={`notice notice-${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}

/** An error from the API or the code: its message, its code, and a link to its operation when there is one. */
export function ErrorNotice(props: { error: unknown }) {
  const error = props.error;
  if (error instanceof ApiError) {
    return (
      <Notice kind="error">
        <strong>{error.message}</strong> <code>{error.code}</code>
        {error.operationId && (
          <>
            {' '}
            <a href={paths.operation(error.operationId)}>See its operation</a>
          </>
        )}
      </Notice>
    );
  }
  return <Notice kind="error">{error instanceof Error ? error.message : String(error)}</Notice>;
}
