import type Database from 'better-sqlite3';
import { OPERATION_COLUMNS, type OperationRow } from '../operationRows';
import { newestFirst, type SqlCondition } from '../newestFirst';
import { PARTS } from './SqliteOperationWriter';

/** How a text search picks its way (see SqliteTextSearch); tests make them small. */
export interface TextSearchTuning {
  /** How often, in index documents read, the search looks at how dense the matches are. Default: 100 */
  readonly sample: number;
  /** The walk's first step, in operations; each next step takes twice as many. Default: 200 */
  readonly chunk: number;
  /** The most operations one step of the walk takes. Default: 2000 */
  readonly maxChunk: number;
  /** After this many steps without a full page, the walk gives up. Default: 8 */
  readonly maxChunks: number;
  /** The most index documents collected and sorted; past it the search gives up. Default: 20000 */
  readonly maxCollected: number;
}

export const DEFAULT_TUNING: TextSearchTuning = { sample: 100, chunk: 200, maxChunk: 2_000, maxChunks: 8, maxCollected: 20_000 };

/**
 * The first page of a text search on SQLite, newest first, picking its way by how dense the matches are. The index is
 * read newest document first (FTS5 reads its lists fastest from either end; a seek by rowid into the middle costs
 * about as much as reading up to it, measured), and every `sample` documents the search compares how many it read
 * with how many operations they span:
 *
 * - Dense (a page is likely within the walk's reach): the operations under the other filters are walked newest first,
 *   in growing steps, while the same reading of the index goes on down to each step's lowest seq; an operation is a
 *   match when one of its documents (numbered from its seq, see SqliteOperationWriter) was read. Exact whatever order
 *   the rows were written in: every document of the step's operations is at or above that seq.
 * - Sparse: the reading goes on to the end, and the operations of every match, under the other filters, are sorted.
 *
 * Undefined when neither settles it (a walk that met too few, more than `maxCollected` documents): the caller then has
 * the database collect and sort every match. Synchronous from start to end, so no other statement of this connection
 * runs while the index is being read.
 */
export class SqliteTextSearch {
  private readonly walkReach: number;

  constructor(
    private readonly statement: (sql: string) => Database.Statement<unknown[], unknown>,
    private readonly tuning: TextSearchTuning,
  ) {
    let reach = 0;
    for (let step = 0, size = tuning.chunk; step < tuning.maxChunks; step++, size = Math.min(size * 2, tuning.maxChunk)) {
      reach += size;
    }
    this.walkReach = reach;
  }

  /** Up to `wanted` operations under `where` with a document matching `expression`, newest first; undefined: see above. */
  find(where: readonly SqlCondition[], expression: string, wanted: number): OperationRow[] | undefined {
    const sql = 'SELECT rowid FROM operation_search WHERE operation_search MATCH ? ORDER BY rowid DESC';
    const documents = this.statement(sql).iterate(expression) as IterableIterator<{ rowid: number }>;
    try {
      const index: IndexReading = { documents, hits: new Set(), highest: -Infinity, lowest: Infinity, read: 0, ended: false };
      while (!index.ended) {
        this.readOne(index);
        if (index.ended || index.read % this.tuning.sample !== 0) continue;
        if (index.read > this.tuning.maxCollected) return undefined;
        // Documents per operation over the span read, times the walk's reach: the matches a walk would likely meet.
        const span = index.highest - Math.floor(index.lowest / PARTS) + 1;
        if ((index.read / span) * this.walkReach >= 2 * wanted) return this.walk(where, index, wanted);
      }
      return this.sorted([...where, seqIn(index.hits)], wanted);
    } finally {
      documents.return?.();
    }
  }

  private walk(where: readonly SqlCondition[], index: IndexReading, wanted: number): OperationRow[] | undefined {
    const found: string[] = [];
    let before: string | undefined;
    let size = this.tuning.chunk;
    for (let chunk = 0; chunk < this.tuning.maxChunks; chunk++, size = Math.min(size * 2, this.tuning.maxChunk)) {
      const conditions = before === undefined ? where : [...where, { sql: 'id < ?', params: [before] }];
      const step = newestFirst('seq, id', conditions, size);
      const rows = this.statement(step.sql).all(...step.params) as { seq: number; id: string }[];
      let low = Infinity;
      for (const row of rows) low = Math.min(low, row.seq);
      while (!index.ended && index.lowest >= low * PARTS) this.readOne(index);
      for (const row of rows) if (found.length < wanted && index.hits.has(row.seq)) found.push(row.id);
      // A full page, or the last chunk: every operation under `where` was looked at.
      if (found.length === wanted || rows.length < size) return this.inOrder(found);
      before = rows.at(-1)?.id;
    }
    return undefined;
  }

  private readOne(index: IndexReading): void {
    const next = index.documents.next();
    if (next.done === true) {
      index.ended = true;
      return;
    }
    const seq = Math.floor(next.value.rowid / PARTS);
    index.lowest = next.value.rowid;
    index.highest = Math.max(index.highest, seq);
    index.read++;
    index.hits.add(seq);
  }

  /** Operations under `where`, newest first, at most `wanted`: their ids sorted here, then only those read whole. */
  private sorted(where: readonly SqlCondition[], wanted: number): OperationRow[] {
    const ids = this.select<{ id: string }>('id', where, '').map((row) => row.id);
    ids.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
    return this.inOrder(ids.slice(0, wanted));
  }

  /** The operations of `ids`, in that order. */
  private inOrder(ids: readonly string[]): OperationRow[] {
    if (ids.length === 0) return [];
    const rows = this.select<OperationRow>(
      OPERATION_COLUMNS,
      [{ sql: 'id IN (SELECT value FROM json_each(?))', params: [JSON.stringify(ids)] }],
      '',
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  private select<R>(columns: string, where: readonly SqlCondition[], tail: string): R[] {
    const clause = where.length === 0 ? '' : `WHERE ${where.map((condition) => condition.sql).join(' AND ')}`;
    return this.statement(`SELECT ${columns} FROM operations ${clause} ${tail}`).all(
      ...where.flatMap((condition) => condition.params),
    ) as R[];
  }
}

/** Where a search stands in its reading of the index, newest document first. */
interface IndexReading {
  readonly documents: IterableIterator<{ rowid: number }>;
  /** The operations (seqs) of the documents read. */
  readonly hits: Set<number>;
  /** The rowid of the last document read. */
  lowest: number;
  /** The seq of the first one. */
  highest: number;
  /** Documents read. */
  read: number;
  ended: boolean;
}

function seqIn(seqs: ReadonlySet<number>): SqlCondition {
  return { sql: 'seq IN (SELECT value FROM json_each(?))', params: [JSON.stringify([...seqs])] };
}
