import type Database from 'better-sqlite3';
import { messageFields, ON_OPERATION_CONFLICT, OPERATION_COLUMNS, operationSearchText, operationValues } from '../operationRows';
import type { OperationBatch } from '../OperationStore';

/** Index documents per operation: document seq * PARTS is its name and error, seq * PARTS + n its n-th message. */
export const PARTS = 2 ** 20;

/** What the writer thread is asked: a batch to write, operations to delete, or the pruning cutoff by count. */
export type WriteRequest =
  | { readonly type: 'write'; readonly batch: OperationBatch }
  | { readonly type: 'delete'; readonly ids: readonly string[] }
  | { readonly type: 'lastKept'; readonly keep: number };

/**
 * The write side of the operations log on SQLite, synchronous: a batch or a deletion in one immediate transaction,
 * its statements prepared once, and the one long read of pruning. It runs in the writer thread of a file (see OperationWriterThread), or in the
 * caller's thread for an in-memory database. Errors are SQLite's own.
 */
export class SqliteOperationWriter {
  private readonly upsert: Database.Statement<unknown[], unknown>;
  private readonly index: Database.Statement<unknown[], unknown>;
  private readonly unindex: Database.Statement<unknown[], unknown>;
  private readonly insertMessage: Database.Statement<unknown[], unknown>;
  private readonly takeParts: Database.Statement<unknown[], unknown>;

  constructor(private readonly db: Database.Database) {
    const values = OPERATION_COLUMNS.split(',')
      .map(() => '?')
      .join(', ');
    this.upsert = db.prepare(
      `INSERT INTO operations (${OPERATION_COLUMNS}) VALUES (${values}) ${ON_OPERATION_CONFLICT} RETURNING seq`,
    );
    this.index = db.prepare('INSERT OR REPLACE INTO operation_search (rowid, text) VALUES (?, ?)');
    this.unindex = db.prepare('DELETE FROM operation_search WHERE rowid >= ? AND rowid <= ?');
    this.insertMessage = db.prepare(
      'INSERT INTO operation_messages (operation_id, at, level, text, fields) VALUES (?, ?, ?, ?, ?)',
    );
    this.takeParts = db.prepare(
      `UPDATE operations SET text_parts = text_parts + ? WHERE id = ? AND text_parts + ? < ${PARTS} RETURNING seq, text_parts`,
    );
  }

  /** Runs one request; its answer is the id for `lastKept`, undefined for the others. */
  run(request: WriteRequest): string | undefined {
    if (request.type === 'write') this.write(request.batch);
    else if (request.type === 'delete') this.delete(request.ids);
    else return this.lastKept(request.keep);
    return undefined;
  }

  /** The id of the oldest of the newest `keep` operations (undefined when there are no more): a walk of the index. */
  lastKept(keep: number): string | undefined {
    const row = this.db.prepare('SELECT id FROM operations ORDER BY id DESC LIMIT 1 OFFSET ?').get(keep - 1) as
      { id: string } | undefined;
    return row?.id;
  }

  /**
   * Operations inserted or replaced, messages added, then everything indexed. The index is written last, in one run:
   * FTS5 writes out what it holds each time another table is written between two of its own writes, so interleaving
   * them costs some 13 µs per operation, and this order nothing measurable.
   */
  write(batch: OperationBatch): void {
    this.db
      .transaction(() => {
        const documents: Array<[number, string]> = [];
        for (const operation of batch.operations) {
          const { seq } = this.upsert.get(...operationValues(operation)) as { seq: number };
          documents.push([seq * PARTS, operationSearchText(operation)]);
        }
        const texts = new Map<string, string[]>();
        for (const message of batch.messages) {
          this.insertMessage.run(message.operationId, message.at, message.level, message.text, messageFields(message));
          const list = texts.get(message.operationId);
          if (list) list.push(message.text);
          else texts.set(message.operationId, [message.text]);
        }
        // One document per message, numbered after the operation's: one UPDATE per operation per batch.
        for (const [id, list] of texts) {
          // No row: an operation pruned while it ran. Past PARTS - 1 messages, later ones are kept but not indexed.
          const parts = this.takeParts.get(list.length, id, list.length) as { seq: number; text_parts: number } | undefined;
          if (!parts) continue;
          const first = parts.text_parts - list.length + 1;
          list.forEach((text, offset) => documents.push([parts.seq * PARTS + first + offset, text]));
        }
        for (const [rowid, text] of documents) this.index.run(rowid, text);
      })
      .immediate();
  }

  /** Operations deleted with their messages and index entries. */
  delete(ids: readonly string[]): void {
    const marks = ids.map(() => '?').join(', ');
    this.db
      .transaction(() => {
        const rows = this.db.prepare(`SELECT seq, text_parts FROM operations WHERE id IN (${marks})`).all(...ids) as {
          seq: number;
          text_parts: number;
        }[];
        this.db.prepare(`DELETE FROM operation_messages WHERE operation_id IN (${marks})`).run(...ids);
        this.db.prepare(`DELETE FROM operations WHERE id IN (${marks})`).run(...ids);
        // The index last, in one run (see write).
        for (const row of rows) this.unindex.run(row.seq * PARTS, row.seq * PARTS + row.text_parts);
      })
      .immediate();
  }
}
