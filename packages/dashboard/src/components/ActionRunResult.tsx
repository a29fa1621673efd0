import { ApiError } from '../api';
import { paths } from '../paths';
import { formatDuration } from './format';

/** One run of an action as the page keeps it: its output, or its error, with the operation that recorded it. */
export type ActionRun =
  | { state: 'running'; action: string }
  | { state: 'done'; action: string; output: unknown; operationId: string | null; ms: number }
  | { state: 'failed'; action: string; error: unknown; ms: number; inputError: boolean };

/**
 * The outcome of the last run, in a live region so a screen reader hears "Running…" and then how it ended. Output
 * is pretty JSON in a `<pre>`, as text: whatever the action returned is never markup.
 */
export function ActionRunResult(props: { run: ActionRun | null }) {
  const { run } = props;
  return (
    <section class="run-result" aria-live="polite" aria-labelledby="run-title">
      <h2 id="run-title">Result</h2>
      {run === null && <p class="hint">Run the action to see its output here.</p>}
      {run?.state === 'running' && <p class="loading">Running {run.action}…</p>}
      {run?.state === 'done' && (
        <>
          <p>
            <span class="badge badge-success">success</span> {run.action} answered in {formatDuration(run.ms)}.{' '}
            {run.operationId && <a href={paths.operation(run.operationId)}>See its operation</a>}
          </p>
          <pre aria-label="Output">{JSON.stringify(run.output, null, 2) ?? 'null'}</pre>
        </>
      )}
      {run?.state === 'failed' && <RunFailure run={run} />}
    </section>
  );
}

function RunFailure(props: { run: Extract<ActionRun, { state: 'failed' }> }) {
  const { error, inputError } = props.run;
  const operationId = error instanceof ApiError ? error.operationId : null;
  return (
    <div class="notice notice-error" role="alert">
      <p>
        <span class="badge badge-failed">failed</span> {props.run.action} failed after {formatDuration(props.run.ms)}
        {error instanceof ApiError && (
          <>
            {' '}
            with <code>{error.code}</code>
          </>
        )}
        .
      </p>
      <p>{inputError ? 'The input does not match the schema: see the input field.' : errorMessage(error)}</p>
      {operationId && (
        <p>
          <a href={paths.operation(operationId)}>See its operation</a> (its log lines and the error as recorded).
        </p>
      )}
    </div>
  );
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
