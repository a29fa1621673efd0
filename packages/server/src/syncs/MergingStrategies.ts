import { WorkerError } from '../errors';
import { decodeCursor, encodeCursor, type RecordScope, type RecordStore, type StoredRecord } from '../store/RecordStore';

/** The strategies a deployed sync's `setMergingStrategy` takes (Nango's). */
export type MergingStrategyName = 'override' | 'ignore_if_modified_after';

/** Ids one read of the store checks: the length of an `IN (…)` list both databases take well. */
const IDS_PER_READ = 1_000;

/**
 * One sync run's merging strategies, per model (Nango's `setMergingStrategy`). `override` (the default): the run's
 * writes replace what is saved. `ignore_if_modified_after`: a record changed by someone else (a webhook handler's
 * run, say) after the point the run has got to is left alone by its batchSave / batchUpdate / batchDelete. That point
 * is a record cursor: the scope's newest change when the strategy is set, then the newest record each write of the
 * run changed, so the run's own writes never hold it back.
 *
 * The check is a read before the write, not part of it: a change that lands between the two is overwritten.
 */
export class MergingStrategies {
  /** Per model, the cursor past which changes are someone else's. */
  private readonly after = new Map<string, string>();

  constructor(private readonly records: Pick<RecordStore, 'lastCursor' | 'list'>) {}

  /** @throws WorkerError `invalid_records` for a strategy that is not one of Nango's */
  async set(scope: RecordScope, strategy: unknown): Promise<void> {
    if (strategy === 'override') {
      this.after.delete(scope.model);
      return;
    }
    if (strategy !== 'ignore_if_modified_after') {
      throw new WorkerError(
        'invalid_records',
        `setMergingStrategy(${scope.model}): strategy is 'override' or 'ignore_if_modified_after', not ${JSON.stringify(strategy) ?? 'undefined'}`,
      );
    }
    // An empty scope: any record that appears before the run's first write is someone else's.
    this.after.set(scope.model, (await this.records.lastCursor(scope)) ?? encodeCursor(0, ''));
  }

  /** The ids among `ids` this write must leave alone: changed by someone else since the run's point. */
  async held(scope: RecordScope, ids: readonly string[]): Promise<Set<string>> {
    const cursor = this.after.get(scope.model);
    const held = new Set<string>();
    if (cursor === undefined || ids.length === 0) return held;
    for (const record of await this.changedAfter(scope, [...new Set(ids)], cursor)) held.add(record.id);
    return held;
  }

  /** After a write of `ids`: the run's point moves to the newest record it changed. */
  async wrote(scope: RecordScope, ids: readonly string[]): Promise<void> {
    const cursor = this.after.get(scope.model);
    if (cursor === undefined || ids.length === 0) return;
    const changed = await this.changedAfter(scope, [...new Set(ids)], cursor);
    // Stamps order changes exactly (milliseconds may tie): the newest is the largest.
    let newest: { cursor: string; stamp: number } | undefined;
    for (const record of changed) {
      const { stamp } = decodeCursor(record.cursor);
      if (newest === undefined || stamp > newest.stamp) newest = { cursor: record.cursor, stamp };
    }
    if (newest) this.after.set(scope.model, newest.cursor);
  }

  /** The records among `ids` changed after `cursor`, oldest change first. */
  private async changedAfter(scope: RecordScope, ids: string[], cursor: string): Promise<StoredRecord[]> {
    const found: StoredRecord[] = [];
    for (let from = 0; from < ids.length; from += IDS_PER_READ) {
      const chunk = ids.slice(from, from + IDS_PER_READ);
      let page = await this.records.list(scope, { ids: chunk, cursor, limit: IDS_PER_READ });
      found.push(...page.records);
      while (page.nextCursor !== null) {
        page = await this.records.list(scope, { ids: chunk, cursor: page.nextCursor, limit: IDS_PER_READ });
        found.push(...page.records);
      }
    }
    return found;
  }
}
