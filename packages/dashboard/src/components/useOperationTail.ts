import { useEffect, useRef, useState } from 'preact/hooks';
import { get, withQuery, type Query } from '../api';
import type { Operation } from '../types';

/** Where the live tail is: off, opening, open, lost and being opened again by the browser, or ended for good. */
export type TailState = 'off' | 'connecting' | 'live' | 'reconnecting' | 'stopped';

export interface OperationTail {
  state: TailState;
  /** Why it stopped, or the server's last `error` event; null when all is well. */
  problem: unknown;
}

/**
 * Follows `GET /logs/tail` (Server-Sent Events, same origin, so the session cookie goes with it) while `query` is
 * not null: `onOperation` is called with each `operation` event, when an operation matching the filters starts and
 * again when it ends. Closed when `query` becomes null, when it changes (opened again with the new filters) and
 * when the page is left.
 */
export function useOperationTail(query: Query | null, onOperation: (operation: Operation) => void): OperationTail {
  const key = query === null ? null : JSON.stringify(query);
  const [state, setState] = useState<TailState>('off');
  const [problem, setProblem] = useState<unknown>(null);
  // The latest callback, so a new closure on each render does not reopen the stream.
  const callback = useRef(onOperation);
  callback.current = onOperation;

  useEffect(() => {
    setProblem(null);
    if (query === null) {
      setState('off');
      return;
    }
    let open = true;
    const source = new EventSource(withQuery('/logs/tail', query));
    setState('connecting');
    source.onopen = () => {
      setState('live');
      setProblem(null);
    };
    source.addEventListener('operation', (event) => {
      try {
        callback.current(JSON.parse((event as MessageEvent<string>).data) as Operation);
      } catch {
        // A malformed event is skipped: the next ones still count.
      }
    });
    source.addEventListener('error', (event) => {
      if (event instanceof MessageEvent) {
        // The server's own `error` event (the store could not be read): the stream goes on.
        setProblem(new Error(readMessage(event.data)));
        return;
      }
      if (source.readyState !== EventSource.CLOSED) {
        setState('reconnecting');
        return;
      }
      // Refused (an error status): EventSource does not say why, so one list request asks the same question and
      // its error is the answer (a 401 also sends the browser to sign-in).
      setState('stopped');
      get('/logs/operations', { ...query, limit: 1 }).then(
        () => open && setProblem(new Error('The server closed the live tail. Turn it on again to retry.')),
        (error: unknown) => open && setProblem(error),
      );
    });
    return () => {
      open = false;
      source.close();
    };
  }, [key]);

  return { state, problem };
}

function readMessage(data: unknown): string {
  try {
    const body = JSON.parse(String(data)) as { message?: unknown };
    if (typeof body.message === 'string') return body.message;
  } catch {
    // not JSON: said as it is
  }
  return `The live tail reported a problem: ${String(data)}`;
}
