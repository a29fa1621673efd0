import {
  messageFields,
  ON_OPERATION_CONFLICT,
  OPERATION_COLUMNS,
  operationFromRow,
  operationValues,
  type OperationRow,
} from '../operationRows';
import type { OperationBatch, OperationFilter, OperationPage } from '../OperationStore';
import { searchWords, type SearchWord } from '../searchWords';
import { pageOf, SqlOperationStore, type SqlCondition } from '../sql/SqlOperationStore';
import type { Pg } from './Pg';

/** `?` placeholders as PostgreSQL's `$n`. */
function numbered(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => `$${++index}`);
}

/** Messages matching a search past which its words count as common (see PgOperationStore.list). */
const DEFAULT_RARE = 1_000;

/** The words as a tsquery: each a lexeme (letters and digits only), a prefix with `:*`, all required. */
function tsquery(words: readonly SearchWord[]): string {
  return words.map(({ word, prefix }) => `${word}${prefix ? ':*' : ''}`).join(' & ');
}

/** The columns of one operation, as the arrays the batch insert unnests, with their types. */
const UNNESTED = [
  'id text',
  'kind text',
  'name text',
  'integration text',
  'connection_id text',
  'end_user_id text',
  'status text',
  'started_at bigint',
  'ended_at bigint',
  'duration_ms bigint',
  'error_code text',
  'error_message text',
  'fields text',
  'trace_id text',
  'parent_id text',
];

/** The columns of one message, as the arrays the batch insert unnests after the operations' ones. */
const MESSAGE_UNNESTED = ['operation_id text', 'at bigint', 'level text', 'text text', 'fields text'];

/** `(a, b, …)` and `unnest($n::type[], …)` of columns given as `name type`, numbered from `first`. */
function unnested(columns: readonly string[], first: number): { names: string; arrays: string } {
  const parts = columns.map((column) => column.split(' '));
  return {
    names: parts.map(([name]) => name).join(', '),
    arrays: parts.map(([, type], index) => `$${first + index}::${type}[]`).join(', '),
  };
}

const OPERATIONS = unnested(UNNESTED, 1);
const MESSAGES = unnested(MESSAGE_UNNESTED, UNNESTED.length + 1);

/** A batch of operations and of messages, in one statement. */
const WRITE_SQL = `WITH operations_written AS (
    INSERT INTO operations (${OPERATIONS.names}) SELECT * FROM unnest(${OPERATIONS.arrays}) ${ON_OPERATION_CONFLICT})
  INSERT INTO operation_messages (${MESSAGES.names}) SELECT * FROM unnest(${MESSAGES.arrays})`;

/**
 * The operations log on PostgreSQL (see OperationStore): a batch is one statement taking the batch's columns as
 * arrays; text search through the generated tsvector columns and their GIN indexes.
 */
export class PgOperationStore extends SqlOperationStore {
  private readonly rare: number;

  /** @param options.rare messages past which a search's words count as common (tests make it small). Default: 1000 */
  constructor(
    private readonly pg: Pg,
    options: { rare?: number } = {},
  ) {
    super({
      all: async <R>(sql: string, params: readonly unknown[]) => (await pg.query(numbered(sql), [...params])).rows as R[],
      run: async (sql: string, params: readonly unknown[]) => (await pg.query(numbered(sql), [...params])).rowCount ?? 0,
    });
    this.rare = options.rare ?? DEFAULT_RARE;
  }

  /**
   * One statement, so one round trip and no transaction: the operations and their messages are two inserts of one
   * statement, which commits both or neither. Named: it runs every time the writer flushes.
   */
  async write(batch: OperationBatch): Promise<void> {
    if (batch.operations.length === 0 && batch.messages.length === 0) return;
    const rows = batch.operations.map(operationValues);
    const { messages } = batch;
    await this.pg.query({
      name: 'operations_write',
      text: WRITE_SQL,
      values: [
        ...UNNESTED.map((_column, index) => rows.map((row) => row[index])),
        messages.map((message) => message.operationId),
        messages.map((message) => message.at),
        messages.map((message) => message.level),
        messages.map((message) => message.text),
        messages.map(messageFields),
      ],
    });
  }

  /**
   * A text search's page as searches the planner weighs apart, each newest first and limited, unioned: operations
   * whose name and error match; and operations with a matching message, found one of two ways. Up to `rare` matching
   * messages (read first, through the GIN index) are all of them: their operations are sorted. Past that the words
   * are common, and the filter's index is walked newest first, probing each operation's messages. Left to itself the
   * planner walks for words it cannot estimate (a customer id in a million messages: a second for nothing). One OR of
   * the two halves would have it filter every row.
   */
  override async list(filter: OperationFilter, page: { limit: number; before?: string | undefined }): Promise<OperationPage> {
    const words = filter.text === undefined ? [] : searchWords(filter.text);
    if (words.length === 0) return super.list(filter, page);
    const where = this.conditions(filter, false);
    if (page.before !== undefined) where.push({ sql: 'id < ?', params: [page.before] });
    const and = where.map((condition) => ` AND ${condition.sql}`).join('');
    const params = where.flatMap((condition) => condition.params);
    const query = tsquery(words);
    const wanted = page.limit + 1;
    const rows = await this.db.all<OperationRow>(
      `WITH hits AS MATERIALIZED (
         SELECT operation_id FROM operation_messages WHERE search @@ to_tsquery('simple', ?) LIMIT ${this.rare + 1})
       SELECT ${OPERATION_COLUMNS} FROM operations WHERE id IN (
         (SELECT id FROM operations WHERE search @@ to_tsquery('simple', ?)${and} ORDER BY id DESC LIMIT ?)
         UNION
         (SELECT id FROM operations WHERE id IN (SELECT operation_id FROM hits)
            AND (SELECT count(*) FROM hits) <= ${this.rare}${and} ORDER BY id DESC LIMIT ?)
         UNION
         (SELECT id FROM operations o WHERE (SELECT count(*) FROM hits) > ${this.rare}
            AND EXISTS (SELECT 1 FROM operation_messages m WHERE m.operation_id = o.id AND m.search @@ to_tsquery('simple', ?))${and}
          ORDER BY id DESC LIMIT ?))
       ORDER BY id DESC LIMIT ?`,
      [query, query, ...params, wanted, ...params, wanted, query, ...params, wanted, wanted],
    );
    return pageOf(rows.map(operationFromRow), page.limit);
  }

  protected textCondition(words: readonly SearchWord[]): SqlCondition {
    const query = tsquery(words);
    return {
      sql: `(search @@ to_tsquery('simple', ?)
             OR id IN (SELECT operation_id FROM operation_messages WHERE search @@ to_tsquery('simple', ?)))`,
      params: [query, query],
    };
  }

  protected async deleteOperations(ids: readonly string[]): Promise<void> {
    // One statement deletes both, atomically, as the transaction of two did.
    await this.pg.query(
      `WITH messages AS (DELETE FROM operation_messages WHERE operation_id = ANY($1::text[]))
       DELETE FROM operations WHERE id = ANY($1::text[])`,
      [ids],
    );
  }
}
