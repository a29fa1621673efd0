import type Database from 'better-sqlite3';
import { OPERATION_COLUMNS, type OperationRow } from '../operationRows';
import type { SqlCondition } from '../SqlOperationStore';
import { PARTS } from './SqliteOperationWriter';

/** How a text search picks its way (see SqliteTextSearch); tests make them small. */
export interface TextSearchTuning {
  /** Words in at most this many index documents: every match is collected and sorted. Default: 500 */
  readonly probe: number;
  /** Otherwise the newest operations are walked, this many first, twice as many each next time. Default: 200 */
  readonly chunk: number;
  /** The most operations one step of the walk takes. Default: 2000 */
  readonly maxChunk: number;
  /** After this many steps without a full page, the search collects every match instead. Default: 8 */
  readonly maxChunks: number;
}

export const DEFAULT_TUNING: TextSearchTuning = { probe: 500, chunk: 200, maxChunk: 2_000, maxChunks: 8 };

/**
 * The first page of a text search on SQLite, newest first, picking its way by how common the words are. The index is
 * read newest document first (FTS5 reads its lists fastest from either end; a seek by rowid into the middle costs
 * about as much as reading up to it, measured): up to `probe` documents settle it.
 *
 * - Rare words (the index ran out): their operations are all known; those under the other filters are sorted.
 * - Common ones: the operations under the other filters are walked newest first, in growing chunks, while the same
 *   reading of the index goes on down to the chunk's lowest seq; an operation is a match when one of its documents
 *   (numbered from its seq, see SqliteOperationWriter) was read. Exact whatever order the rows were written in: every
 *   document of the chunk's operations is at or above that seq.
 *
 * Synchronous from start to end, so no other statement of this connection runs while the index is being read.
 */
export class SqliteTextSearch {
  constructor(
    private readonly statement: (sql: string) => Database.Statement<unknown[], unknown>,
    private readonly tuning: TextSearchTuning,
  ) {}

  /**
   * Up to `wanted` operations under `where` with a document matching `expression`, newest first; undefined when the
   * walk gave up (common words whose matches are all old): the caller then collects every match.
   */
  find(where: readonly SqlCondition[], expression: string, wanted: number): OperationRow[] | undefined {
    const sql = 'SELECT rowid FROM operation_search WHERE operation_search MATCH ? ORDER BY rowid DESC';
    const documents = this.statement(sql).iterate(expression) as IterableIterator<{ rowid: number }>;
    try {
      const index = { documents, hits: new Set<number>(), lowest: Infinity, ended: false };
      for (let read = 0; read <= this.tuning.probe && !index.ended; read++) this.readOne(index);
      if (index.ended) return this.sorted([...where, seqIn(index.hits)], wanted);
      return this.walk(where, index, wanted);
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
      const rows = this.select<{ seq: number; id: string }>('seq, id', conditions, `ORDER BY id DESC LIMIT ${size}`);
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
    index.lowest = next.value.rowid;
    index.hits.add(Math.floor(next.value.rowid / PARTS));
  }

  /** Operations under `where`, newest first, at most `wanted`: sorted here, the set being small. */
  private sorted(where: readonly SqlCondition[], wanted: number): OperationRow[] {
    const rows = this.select<OperationRow>(OPERATION_COLUMNS, where, '');
    rows.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    return rows.slice(0, wanted);
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
  ended: boolean;
}

function seqIn(seqs: ReadonlySet<number>): SqlCondition {
  return { sql: 'seq IN (SELECT value FROM json_each(?))', params: [JSON.stringify([...seqs])] };
}
