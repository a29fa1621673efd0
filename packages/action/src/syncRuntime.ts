import { ACTION_CONTEXT, type ActionContext, type SyncContext } from './context';
import { FunctionRuntime, type FunctionSchema } from './functionRuntime';
import type { NangoAction } from './NangoAction';
import type { NangoSync, SyncRecord } from './NangoSync';
import { describeSchemaError } from './schemaProblems';

/** What `createSync` (the official `nango` package) leaves in a compiled bundle's default export. */
export interface SyncFunctionDefinition {
  readonly type?: string;
  readonly exec: (nango: SyncRuntime) => unknown;
  /** Runs a provider webhook the sync subscribed to (`webhookSubscriptions`) with its payload. */
  readonly onWebhook?: ((nango: SyncRuntime, payload: unknown) => unknown) | undefined;
  /** Each model's zod schema, by name: batchSave's records are checked against it before they leave the sandbox. */
  readonly models?: Readonly<Record<string, FunctionSchema | undefined>> | undefined;
  /** The checkpoint's zod schema (an object of strings, numbers and booleans). */
  readonly checkpoint?: FunctionSchema | undefined;
  readonly trackDeletes?: boolean | undefined;
}

/** Most bad records one validation error names: the rest are counted. */
const NAMED_PROBLEMS = 5;

/**
 * The object a deployed sync receives as `nango` (Nango's NangoSync surface): a FunctionRuntime (requests, logs,
 * metadata, the Connection) plus the sync's calls, which go to the worker as our own NangoSync's do: batchSave,
 * batchUpdate and batchDelete into the records store (each record checked against the function's zod model here,
 * then against the model's JSON Schema by the worker), checkpoints stored at once, lastSyncDate, and deletion
 * tracking (trackDeletesStart / trackDeletesEnd: the records of a model this run did not save are marked deleted).
 */
export class SyncRuntime extends FunctionRuntime {
  /** The declaration's `trackDeletes`: the worker marks unseen records deleted at the end of a full run. */
  readonly track_deletes: boolean;

  constructor(
    private readonly sync: NangoSync,
    private readonly definition: SyncFunctionDefinition,
    private readonly name: string,
  ) {
    super(sync as unknown as NangoAction<unknown, unknown>);
    this.track_deletes = definition.trackDeletes === true;
  }

  /** When the last successful run started; undefined on a first run (or after a reset). */
  get lastSyncDate(): Date | undefined {
    return this.sync.lastSyncDate;
  }

  /** The sync variant this run is for (`base` unless the app made others). */
  get variant(): string {
    return this.context.variant ?? 'base';
  }

  /** The sync variant this run is for, as Nango's getVariant() answers. */
  override getVariant(): string {
    return this.variant;
  }

  /** A model's name with this run's variant, as Nango names it (`Model::variant`, or `Model` for the base). */
  modelFullName(model: string): string {
    return this.variant === 'base' ? model : `${model}::${this.variant}`;
  }

  /**
   * Saves records of `model`: new ids added, changed ones updated. Checked against the function's zod model first;
   * a bad record fails the whole batch, naming each bad record.
   */
  async batchSave<T extends SyncRecord>(records: T[], model: string): Promise<boolean> {
    return this.sync.batchSave(this.checked(records, model, 'batchSave'), model);
  }

  /** Nango's older name of batchSave. */
  batchSend<T extends SyncRecord>(records: T[], model: string): Promise<boolean> {
    return this.batchSave(records, model);
  }

  /** Merges the given fields into records saved before (by id). */
  async batchUpdate<T extends SyncRecord>(records: (Partial<T> & { id: string | number })[], model: string): Promise<boolean> {
    return this.sync.batchUpdate(withoutNangoMetadata(records, model, 'batchUpdate'), model);
  }

  /** Marks records of `model` deleted (by id). */
  async batchDelete(records: { id: string | number }[], model: string): Promise<boolean> {
    return this.sync.batchDelete(withoutNangoMetadata(records, model, 'batchDelete'), model);
  }

  /**
   * The saved records of `model` with these ids (deleted ones left out), keyed by the ids as given: what a sync
   * reads to merge a partial update into what it saved before.
   */
  async getRecordsByIds<K extends string | number, T = Record<string, unknown>>(ids: K[], model: string): Promise<Map<K, T>> {
    this.modelDeclared(model, 'getRecordsByIds');
    if (!Array.isArray(ids)) throw new Error(`${this.name}: getRecordsByIds(${model}) takes an array of ids`);
    const found = (await this.context.call('getRecordsByIds', { model, ids: ids.map(String) })) as T[];
    const byId = new Map(found.map((record) => [String((record as { id?: unknown }).id), record]));
    const result = new Map<K, T>();
    for (const id of ids) {
      const record = byId.get(String(id));
      if (record !== undefined) result.set(id, record);
    }
    return result;
  }

  /** The checkpoint saved last (by this run, or the one before), null when there is none. */
  getCheckpoint<T = Record<string, string | number | boolean>>(): Promise<T | null> {
    return this.sync.getCheckpoint() as Promise<T | null>;
  }

  /** Stores where the run has got to, at once; checked against the function's checkpoint schema when it has one. */
  async saveCheckpoint(checkpoint: Record<string, unknown>): Promise<void> {
    const schema = this.definition.checkpoint;
    if (schema && typeof schema.safeParse === 'function') {
      const parsed = schema.safeParse(checkpoint);
      if (!parsed.success) throw new Error(`${this.name}: saveCheckpoint: ${describeSchemaError(parsed.error)}`);
    }
    await this.sync.saveCheckpoint(checkpoint);
  }

  /** Forgets the checkpoint: the next run (or this one's next getCheckpoint) starts from nothing. */
  async clearCheckpoint(): Promise<void> {
    await this.context.call('clearCheckpoint', {});
    this.context.checkpoint = null;
  }

  /** Starts tracking deletes of `model` for this run: every record saved from here on is seen. */
  trackDeletesStart(model: string): Promise<void> {
    this.modelDeclared(model, 'trackDeletesStart');
    return Promise.resolve();
  }

  /**
   * Marks deleted every record of `model` this run did not save. `deletedKeys` is empty: the worker counts the
   * records it marked (the run's `deleted` result) but does not list them.
   */
  async trackDeletesEnd(model: string): Promise<{ deletedKeys: string[] }> {
    this.modelDeclared(model, 'trackDeletesEnd');
    await this.context.call('trackDeletesEnd', { model });
    return { deletedKeys: [] };
  }

  /** Nango's older name of trackDeletesEnd. */
  deleteRecordsFromPreviousExecutions(model: string): Promise<{ deletedKeys: string[] }> {
    return this.trackDeletesEnd(model);
  }

  private checked<T extends SyncRecord>(records: T[], model: string, method: string): T[] {
    const plain = withoutNangoMetadata(records, model, method);
    const schema = this.modelDeclared(model, method);
    if (!schema || typeof schema.safeParse !== 'function') return plain;
    const bad: string[] = [];
    plain.forEach((record, index) => {
      const parsed = schema.safeParse(record);
      if (!parsed.success) bad.push(`record ${describeRecord(record, index)}: ${describeSchemaError(parsed.error)}`);
    });
    if (bad.length > 0) {
      const more = bad.length > NAMED_PROBLEMS ? ` (and ${bad.length - NAMED_PROBLEMS} more)` : '';
      throw new Error(
        `${this.name}: ${method}(${model}) saved nothing, records do not match the model: ${bad.slice(0, NAMED_PROBLEMS).join(' | ')}${more}`,
      );
    }
    return plain;
  }

  /** The model's zod schema; a model the function does not declare is refused here, naming the ones it does. */
  private modelDeclared(model: string, method: string): FunctionSchema | undefined {
    const models = this.definition.models;
    if (!models) return undefined;
    if (!Object.prototype.hasOwnProperty.call(models, model)) {
      throw new Error(
        `${this.name}: ${method}(${String(model)}): the sync declares the models ${Object.keys(models).join(', ')}`,
      );
    }
    return models[model];
  }

  private get context(): SyncContext {
    const context = (this.sync as { [ACTION_CONTEXT]?: ActionContext })[ACTION_CONTEXT]?.sync;
    if (!context) throw new Error(`${this.name}: the sync's calls exist only while the worker runs it`);
    return context;
  }
}

/** Records as Nango saves them: an array, each without the `_nango_metadata` a record read back carries. */
function withoutNangoMetadata<T>(records: T[], model: string, method: string): T[] {
  if (!Array.isArray(records)) throw new Error(`${method}(${model}) takes an array of records`);
  return records.map((record) => {
    if (record === null || typeof record !== 'object' || !('_nango_metadata' in record)) return record;
    const copy = { ...(record as Record<string, unknown>) };
    delete copy['_nango_metadata'];
    return copy as T;
  });
}

function describeRecord(record: unknown, index: number): string {
  const id = record !== null && typeof record === 'object' ? (record as { id?: unknown }).id : undefined;
  return typeof id === 'string' || typeof id === 'number' ? `'${String(id)}'` : `#${index}`;
}
