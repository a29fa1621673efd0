import type Database from 'better-sqlite3';
import {
  messageFields,
  OPERATION_COLUMNS,
  operationFromRow,
  operationSearchText,
  operationValues,
  UPSERT_OPERATION,
  type OperationRow,
} from '../operationRows';
import type { OperationBatch, OperationFilter, OperationPage } from '../OperationStore';
import { searchWords, type SearchWord } from '../searchWords';
import { pageOf, SqlOperationStore, type SqlCondition } from '../SqlOperationStore';
import { withStorageErrors } from './sqliteErrors';

/** Index documents per operation: document seq * PARTS is its name and error, seq * PARTS + n its n-th message. */
const PARTS = 2 ** 20;

/** How a text search picks its way (see SqliteOperationStore); tests make them small. */
export interface TextSearchTuning {
  /** A search whose words match at most this many operations collects them all and sorts them. Default: 2000 */
  readonly probe: number;
  /** Otherwise it walks the newest operations this many at a time, asking the index about each chunk. Default: 1000 */
  readonly chunk: number;
  /** After this many chunks without a full page it falls back to collecting every match. Default: 50 */
  readonly maxChunks: number;
}

const DEFAULT_TUNING: TextSearchTuning = { probe: 2_000, chunk: 1_000, maxChunks: 50 };

/** Most statements kept prepared: the fixed ones, and filters' texts, which vary with the filters given. */
const STATEMENT_CACHE_SIZE = 200;

/**
 * The operations log on SQLite (see OperationStore): each batch one immediate transaction; text search through the
 * FTS5 table `operation_search`.
 *
 * Which way a text search goes depends on how common its words are, found out with one bounded probe of the index:
 * rare words (few operations) are collected whole and sorted, which costs their count; common words are met walking
 * the newest operations, checking a chunk at a time against the index, which costs the depth of the page. Either
 * way the first page costs milliseconds with a million operations stored (see docs/performance.md).
 */
export class SqliteOperationStore extends SqlOperationStore {
  private readonly statements = new Map<string, Database.Statement<unknown[], unknown>>();

  private readonly tuning: TextSearchTuning;

  constructor(
    private readonly database: Database.Database,
    tuning: Partial<TextSearchTuning> = {},
  ) {
    super({
      all: async <R>(sql: string, params: readonly unknown[]) =>
        withStorageErrors(() => this.statement(sql).all(...params) as R[]),
      run: async (sql: string, params: readonly unknown[]) => withStorageErrors(() => this.statement(sql).run(...params).changes),
    });
    this.tuning = { ...DEFAULT_TUNING, ...tuning };
  }

  async write(batch: OperationBatch): Promise<void> {
    const upsert = this.statement(`${UPSERT_OPERATION} RETURNING seq`);
    const index = this.statement('INSERT OR REPLACE INTO operation_search (rowid, text) VALUES (?, ?)');
    const insertMessage = this.statement(
      'INSERT INTO operation_messages (operation_id, at, level, text, fields) VALUES (?, ?, ?, ?, ?)',
    );
    const takeParts = this.statement(
      `UPDATE operations SET text_parts = text_parts + ? WHERE id = ? AND text_parts + ? < ${PARTS} RETURNING seq, text_parts`,
    );
    withStorageErrors(() =>
      this.database
        .transaction(() => {
          for (const operation of batch.operations) {
            const { seq } = upsert.get(...operationValues(operation)) as { seq: number };
            index.run(seq * PARTS, operationSearchText(operation));
          }
          const texts = new Map<string, string[]>();
          for (const message of batch.messages) {
            insertMessage.run(message.operationId, message.at, message.level, message.text, messageFields(message));
            const list = texts.get(message.operationId);
            if (list) list.push(message.text);
            else texts.set(message.operationId, [message.text]);
          }
          // One document per message, numbered after the operation's: one UPDATE per operation per batch.
          for (const [id, list] of texts) {
            // No row: an operation pruned while it ran. Past PARTS - 1 messages, later ones are kept but not indexed.
            const parts = takeParts.get(list.length, id, list.length) as { seq: number; text_parts: number } | undefined;
            if (!parts) continue;
            const first = parts.text_parts - list.length + 1;
            list.forEach((text, offset) => index.run(parts.seq * PARTS + first + offset, text));
          }
        })
        .immediate(),
    );
  }

  override async list(filter: OperationFilter, page: { limit: number; before?: string | undefined }): Promise<OperationPage> {
    const words = filter.text === undefined ? '' : matchExpression(filter.text);
    if (words === '') return super.list(filter, page);
    const where = this.conditions(filter, false);
    if (page.before !== undefined) where.push({ sql: 'id < ?', params: [page.before] });
    const rare = await this.db.all<{ seq: number }>(
      `SELECT DISTINCT rowid / ${PARTS} AS seq FROM operation_search WHERE operation_search MATCH ? LIMIT ?`,
      [words, this.tuning.probe + 1],
    );
    if (rare.length <= this.tuning.probe) {
      const seqs = { sql: 'seq IN (SELECT value FROM json_each(?))', params: [JSON.stringify(rare.map((row) => row.seq))] };
      const rows = await this.unordered([...where, seqs]);
      rows.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
      return pageOf(rows.slice(0, page.limit + 1).map(operationFromRow), page.limit);
    }
    const walked = await this.walk(where, words, page.limit + 1);
    if (walked !== undefined) return pageOf(walked.map(operationFromRow), page.limit);
    return super.list(filter, page); // common words, all of them old: every match, sorted
  }

  protected textCondition(words: readonly SearchWord[]): SqlCondition {
    return {
      sql: `seq IN (SELECT rowid / ${PARTS} FROM operation_search WHERE operation_search MATCH ?)`,
      params: [expressionOf(words)],
    };
  }

  protected async deleteOperations(ids: readonly string[]): Promise<void> {
    const marks = ids.map(() => '?').join(', ');
    const dropIndex = this.statement('DELETE FROM operation_search WHERE rowid >= ? AND rowid <= ?');
    withStorageErrors(() =>
      this.database
        .transaction(() => {
          const rows = this.statement(`SELECT seq, text_parts FROM operations WHERE id IN (${marks})`).all(...ids) as {
            seq: number;
            text_parts: number;
          }[];
          for (const row of rows) dropIndex.run(row.seq * PARTS, row.seq * PARTS + row.text_parts);
          this.statement(`DELETE FROM operation_messages WHERE operation_id IN (${marks})`).run(...ids);
          this.statement(`DELETE FROM operations WHERE id IN (${marks})`).run(...ids);
        })
        .immediate(),
    );
  }

  /**
   * Walks the operations under `where` newest first, a chunk at a time, keeping those the index matches in the chunk's
   * range of seqs (a range, so one index lookup per chunk; exact, since every operation of the chunk lies in it).
   * Undefined when `maxChunks` chunks were not enough for `wanted` operations.
   */
  private async walk(where: readonly SqlCondition[], words: string, wanted: number): Promise<OperationRow[] | undefined> {
    const found: string[] = [];
    let before: string | undefined;
    for (let chunk = 0; chunk < this.tuning.maxChunks; chunk++) {
      const conditions = before === undefined ? where : [...where, { sql: 'id < ?', params: [before] }];
      const rows = await this.ids(conditions, this.tuning.chunk);
      let low = Infinity;
      let high = -Infinity;
      for (const row of rows) {
        low = Math.min(low, row.seq);
        high = Math.max(high, row.seq);
      }
      const matched =
        rows.length === 0
          ? []
          : await this.db.all<{ seq: number }>(
              `SELECT DISTINCT rowid / ${PARTS} AS seq FROM operation_search
               WHERE operation_search MATCH ? AND rowid >= ? AND rowid < ?`,
              [words, low * PARTS, (high + 1) * PARTS],
            );
      const hits = new Set(matched.map((row) => row.seq));
      for (const row of rows) {
        if (found.length < wanted && hits.has(row.seq)) found.push(row.id);
      }
      // A full page, or the last chunk: every operation under `where` was looked at.
      if (found.length === wanted || rows.length < this.tuning.chunk) return this.byIds(found);
      before = rows.at(-1)?.id;
    }
    return undefined;
  }

  /** Seq and id of up to `limit` operations under `where`, newest first. */
  private ids(where: readonly SqlCondition[], limit: number): Promise<{ seq: number; id: string }[]> {
    const clause = where.length === 0 ? '' : `WHERE ${where.map((condition) => condition.sql).join(' AND ')}`;
    return this.db.all(`SELECT seq, id FROM operations ${clause} ORDER BY id DESC LIMIT ?`, [
      ...where.flatMap((condition) => condition.params),
      limit,
    ]);
  }

  /** The operations of `ids`, in that order. */
  private async byIds(ids: readonly string[]): Promise<OperationRow[]> {
    if (ids.length === 0) return [];
    const rows = await this.unordered([{ sql: 'id IN (SELECT value FROM json_each(?))', params: [JSON.stringify(ids)] }]);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  private unordered(where: readonly SqlCondition[]): Promise<OperationRow[]> {
    return this.db.all<OperationRow>(
      `SELECT ${OPERATION_COLUMNS} FROM operations WHERE ${where.map((condition) => condition.sql).join(' AND ')}`,
      where.flatMap((condition) => condition.params),
    );
  }

  /** The prepared statement of `sql`, kept for reuse (a prepare costs some 15 µs; a lookup, nothing). */
  private statement(sql: string): Database.Statement<unknown[], unknown> {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.database.prepare<unknown[], unknown>(sql);
      if (this.statements.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.statements.keys().next();
        if (oldest.done !== true) this.statements.delete(oldest.value);
      }
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

/** An FTS5 expression requiring every word: each quoted (they hold only letters and digits), prefixes starred. */
function expressionOf(words: readonly SearchWord[]): string {
  return words.map(({ word, prefix }) => `"${word}"${prefix ? '*' : ''}`).join(' ');
}

function matchExpression(text: string): string {
  return expressionOf(searchWords(text));
}
