import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { get, type Query } from '../api';
import type { Operation } from '../types';

/** Operations per page asked of the API. */
export const PAGE_SIZE = 50;
/**
 * The most rows the list keeps: past it the live tail's new rows push the oldest out. Paging on from the last page's
 * cursor would then skip what was pushed out, so the list offers to start again instead.
 */
export const MAX_ROWS = 1000;

export interface OperationPages {
  operations: Operation[];
  /** The first page is being read (the list is empty or stale until it is in). */
  loading: boolean;
  /** A next page is being read. */
  loadingMore: boolean;
  error: unknown;
  /** There are older operations to page to. */
  hasMore: boolean;
  /** The live tail pushed old rows out: paging on would skip some, so "Load more" becomes "start again". */
  trimmed: boolean;
  loadMore: () => void;
  reload: () => void;
  /** Adds an operation from the live tail, or replaces the row it already has; says which it did. */
  upsert: (operation: Operation) => 'added' | 'updated' | 'same';
}

interface Page {
  operations: Operation[];
  next_cursor: string | null;
}

interface State {
  operations: Operation[];
  next: string | null;
  loading: boolean;
  loadingMore: boolean;
  error: unknown;
  trimmed: boolean;
}

/**
 * The operations log as pages the API cuts (`GET /logs/operations`, newest first, `next_cursor` to the next page),
 * so a log of 100,000 operations is never read whole. `query` is null while the filters are wrong: nothing is read.
 * A late answer to an earlier query is dropped.
 */
export function useOperationPages(query: Query | null): OperationPages {
  const key = query === null ? null : JSON.stringify(query);
  const [state, setState] = useState<State>({
    operations: [],
    next: null,
    loading: query !== null,
    loadingMore: false,
    error: undefined,
    trimmed: false,
  });
  const [round, setRound] = useState(0);
  // Which load answers count: bumped by every new first-page load.
  const generation = useRef(0);
  // What the tail sent since the first page was asked for: merged into it when it comes.
  const early = useRef(new Map<string, Operation>());
  const latest = useRef(state);
  latest.current = state;

  useEffect(() => {
    const mine = ++generation.current;
    early.current = new Map();
    if (query === null) {
      setState({ operations: [], next: null, loading: false, loadingMore: false, error: undefined, trimmed: false });
      return;
    }
    setState((previous) => ({ ...previous, loading: true, loadingMore: false, error: undefined }));
    get<Page>('/logs/operations', { ...query, limit: PAGE_SIZE }).then(
      (page) => {
        if (mine !== generation.current) return;
        let operations = page.operations;
        const read = new Set(operations.map((operation) => operation.id));
        for (const operation of early.current.values()) {
          if (!read.has(operation.id)) operations = placed(operations, operation, page.next_cursor !== null);
        }
        setState({ operations, next: page.next_cursor, loading: false, loadingMore: false, error: undefined, trimmed: false });
      },
      (error: unknown) => {
        if (mine !== generation.current) return;
        setState({ operations: [], next: null, loading: false, loadingMore: false, error, trimmed: false });
      },
    );
  }, [key, round]);

  const loadMore = useCallback(() => {
    const { next, loadingMore } = latest.current;
    if (query === null || next === null || loadingMore) return;
    const mine = generation.current;
    setState((previous) => ({ ...previous, loadingMore: true }));
    get<Page>('/logs/operations', { ...query, limit: PAGE_SIZE, cursor: next }).then(
      (page) => {
        if (mine !== generation.current) return;
        setState((previous) => {
          // The live tail may have added some of these already.
          const known = new Set(previous.operations.map((operation) => operation.id));
          const older = page.operations.filter((operation) => !known.has(operation.id));
          return { ...previous, operations: [...previous.operations, ...older], next: page.next_cursor, loadingMore: false };
        });
      },
      (error: unknown) => {
        if (mine !== generation.current) return;
        setState((previous) => ({ ...previous, loadingMore: false, error }));
      },
    );
  }, [key]);

  const reload = useCallback(() => setRound((value) => value + 1), []);

  const upsert = useCallback((operation: Operation): 'added' | 'updated' | 'same' => {
    const current = latest.current;
    if (current.loading) early.current.set(operation.id, operation);
    const before = current.operations.find((row) => row.id === operation.id) ?? null;
    if (before && before.status === operation.status && before.ended_at === operation.ended_at) return 'same';
    let operations = placed(current.operations, operation, current.next !== null);
    if (operations === current.operations) return 'same';
    const trim = operations.length > MAX_ROWS;
    if (trim) operations = operations.slice(0, MAX_ROWS);
    latest.current = { ...current, operations, trimmed: current.trimmed || trim };
    setState((previous) => ({ ...previous, operations, trimmed: previous.trimmed || trim }));
    return before ? 'updated' : 'added';
  }, []);

  return {
    operations: state.operations,
    loading: state.loading,
    loadingMore: state.loadingMore,
    error: state.error,
    hasMore: state.next !== null,
    trimmed: state.trimmed,
    loadMore,
    reload,
    upsert,
  };
}

/**
 * The rows with `operation` in them: in place of its row, or where its start puts it (ids sort as start times,
 * newest first). One older than every row while older pages remain is left for those pages (the same array back).
 */
function placed(rows: Operation[], operation: Operation, morePages: boolean): Operation[] {
  const at = rows.findIndex((row) => row.id === operation.id);
  if (at >= 0) return [...rows.slice(0, at), operation, ...rows.slice(at + 1)];
  const place = rows.findIndex((row) => row.id < operation.id);
  if (place < 0) return morePages ? rows : [...rows, operation];
  return [...rows.slice(0, place), operation, ...rows.slice(place)];
}
