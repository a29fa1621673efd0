/** A condition of a WHERE clause with its parameters. */
export interface SqlCondition {
  readonly sql: string;
  readonly params: readonly unknown[];
  /**
   * For a list of values (`kind IN (…)`): the condition of each value alone. A newest-first search takes them one by
   * one, each down its own index, and merges them (see newestFirst).
   */
  readonly alternatives?: readonly SqlCondition[];
}

/** Most searches one newest-first query is split into; past it the list stays one IN and the database sorts. */
const MAX_VARIANTS = 64;

/**
 * A query of `columns` of the operations under `where`, newest first, at most `limit`. Neither database reads an
 * index `(kind, id)` newest first for several kinds at once: given `kind IN ('action', 'proxy')` it collects every
 * matching row and sorts them (65% of a million operations). So each value of a list is searched apart, newest first
 * and limited, and the results merged: a few index walks of `limit` rows.
 */
export function newestFirst(columns: string, where: readonly SqlCondition[], limit: number): SqlCondition {
  const variants = expand(where);
  const one = (conditions: readonly SqlCondition[]) => {
    const clause = conditions.length === 0 ? '' : ` WHERE ${conditions.map((condition) => condition.sql).join(' AND ')}`;
    return {
      sql: `SELECT ${columns} FROM operations${clause} ORDER BY id DESC LIMIT ${limit}`,
      params: conditions.flatMap((condition) => condition.params),
    };
  };
  if (variants === undefined) return one(where);
  const parts = variants.map(one);
  return {
    sql:
      `SELECT ${columns} FROM (${parts.map((part, index) => `SELECT * FROM (${part.sql}) AS part${index}`).join(' UNION ALL ')}) ` +
      `AS parts ORDER BY id DESC LIMIT ${limit}`,
    params: parts.flatMap((part) => part.params),
  };
}

/** Every combination of the alternatives of `where`; undefined when there is nothing to split (or too much). */
function expand(where: readonly SqlCondition[]): SqlCondition[][] | undefined {
  if (!where.some((condition) => condition.alternatives !== undefined)) return undefined;
  let variants: SqlCondition[][] = [[]];
  for (const condition of where) {
    const choices = condition.alternatives ?? [condition];
    variants = variants.flatMap((variant) => choices.map((choice) => [...variant, choice]));
    if (variants.length > MAX_VARIANTS) return undefined;
  }
  return variants;
}
