import type { HostCall, SyncCall } from '@nangohq/action';
import type { NangoConnection } from '@nangohq/protocol';
import type { ActionRunner } from '../actions/ActionRunner';
import type { HostCallArgs, WorkerCall } from '../actions/sandboxProtocol';
import type { IntegrationsConfig, ModelConfig, SyncConfig } from '../config/types';
import { WorkerError } from '../errors';
import { NUL_REFUSAL } from '../nulPath';
import type { RecordInput, RecordScope, RecordStore } from '../store/RecordStore';
import { recordProblems } from '../config/modelSchemas';
import type { ModelResult } from '../store/SyncScheduleStore';
import type { SyncExecutor, SyncJob, SyncRunHooks, SyncRunResult } from './SyncExecutor';
import { countFields } from './syncOperationFields';

/** Most records one batchSave, batchUpdate or batchDelete call may carry. */
export const MAX_BATCH_RECORDS = 10_000;
/** Most bad records one invalid_records error names: the rest are counted. */
const NAMED_PROBLEMS = 5;

/**
 * Answers a deployed sync's calls that reach past its records (setMetadata / updateMetadata on its own Connection,
 * triggerAction, getConnection, getIntegration, getEnvironmentVariables) for the run of `connection`; composed by the
 * worker from the operations every door uses (operations/functionHost), so their checks and limits apply.
 */
export type SyncFunctionHost = (
  connection: NangoConnection,
) => (method: HostCall, args: HostCallArgs, signal: AbortSignal) => Promise<unknown>;

/**
 * Runs sync scripts in the action sandboxes (ActionRunner.runSync): the script's batchSave / batchUpdate /
 * batchDelete come here, are checked (an object with an id; the model's JSON Schema) and written to the
 * RecordStore; its checkpoints go to the scheduler at once. At the end of a full run of a sync that tracks
 * deletes (one that started from no checkpoint), records it did not save are marked deleted.
 */
export class SandboxSyncExecutor implements SyncExecutor {
  constructor(
    private readonly runner: ActionRunner,
    private readonly records: RecordStore,
    private readonly integrations: () => IntegrationsConfig,
    /** Answers a run's calls past its records (metadata, triggerAction, …); absent, they fail saying so. */
    private readonly functionHost?: SyncFunctionHost,
  ) {}

  async run(job: SyncJob, hooks: SyncRunHooks): Promise<SyncRunResult> {
    const integration = this.integrations().integrations.get(job.integration);
    if (!integration) throw new WorkerError('unknown_integration', `Unknown integration '${job.integration}'`);
    const sync = integration.syncs.get(job.sync);
    if (!sync) {
      const known = [...integration.syncs.keys()].join(', ') || 'none';
      throw new WorkerError(
        'unknown_sync',
        `Unknown sync '${job.sync}' of integration '${job.integration}': it declares ${known}`,
      );
    }
    const counts: Record<string, ModelResult> = {};
    for (const model of sync.models.keys()) counts[model] = { added: 0, updated: 0, deleted: 0 };
    let checkpoint = job.checkpoint;
    const other = this.functionHost?.(job.connection);
    const host = async (method: WorkerCall, args: HostCallArgs, signal: AbortSignal): Promise<unknown> => {
      if (!isSyncCall(method)) {
        if (!other) throw new WorkerError('internal_error', `${method} is not available in this run`);
        return other(method, args, signal);
      }
      if (method === 'saveCheckpoint' || method === 'clearCheckpoint') {
        checkpoint = method === 'saveCheckpoint' ? checkpointOf(args.checkpoint) : null;
        await hooks.saveCheckpoint(checkpoint);
        return null;
      }
      const model = modelOf(sync, method, args.model);
      const scope: RecordScope = { connection: job.connection.uuid, model: model.name, variant: job.variant };
      if (method === 'getRecordsByIds') return this.recordsByIds(scope, args.ids);
      if (method === 'trackDeletesEnd') {
        // A deployed function's explicit deletion tracking: what this run did not save is gone.
        (counts[model.name] as ModelResult).deleted += await this.records.markUnseenDeleted(scope, job.runId);
        hooks.operation?.set(countFields(counts));
        return null;
      }
      const inputs = recordsOf(method, model, args.records);
      const count = counts[model.name] as ModelResult;
      const options = { runId: job.runId, encrypt: sync.encryptRecords };
      if (method === 'batchDelete') {
        count.deleted += await this.records.markDeleted(scope, [...new Set(inputs.map((input) => input.id))], options);
      } else {
        const merged = method === 'batchUpdate' ? await this.mergeWithSaved(scope, inputs) : inputs;
        checkRecords(method, model, merged);
        const result = await this.records.save(scope, merged, options);
        count.added += result.added;
        count.updated += result.updated;
      }
      hooks.operation?.set(countFields(counts));
      return null;
    };
    const data = {
      checkpoint: job.checkpoint,
      lastSyncDate: job.lastSyncDate,
      variant: job.variant,
      paginate: integration.provider?.proxy?.paginate as never,
    };
    // A webhook handler's run gets the payload as its input, which @nangohq/action's syncFromFunction hands to onWebhook.
    const input = job.webhook === undefined ? undefined : { webhook: job.webhook.payload };
    await this.runner.runSync(integration, sync, job.connection, data, host, hooks.signal, hooks.operation, input);
    // Only a full run that read everything in this attempt knows what is gone: one resumed from a checkpoint (its
    // worker died, its time ran out) did not see the records an earlier attempt saved, so it marks nothing; the next
    // full run does. A webhook handler's run marks nothing either.
    if (job.webhook === undefined && job.full && job.checkpoint === null && sync.trackDeletes) {
      for (const model of sync.models.keys()) {
        const scope = { connection: job.connection.uuid, model, variant: job.variant };
        (counts[model] as ModelResult).deleted += await this.records.markUnseenDeleted(scope, job.runId);
      }
    }
    return { models: counts, checkpoint };
  }

  /** getRecordsByIds: the live records of the scope with these ids (at most MAX_BATCH_RECORDS ids a call). */
  private async recordsByIds(scope: RecordScope, ids: unknown): Promise<Record<string, unknown>[]> {
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) {
      throw new WorkerError('invalid_records', `getRecordsByIds(${scope.model}) takes an array of ids`);
    }
    if (ids.length > MAX_BATCH_RECORDS) {
      throw new WorkerError(
        'invalid_records',
        `getRecordsByIds(${scope.model}) was given ${ids.length} ids: at most ${MAX_BATCH_RECORDS} per call`,
      );
    }
    const unique = [...new Set(ids as string[])];
    const found: Record<string, unknown>[] = [];
    for (let from = 0; from < unique.length; from += 1_000) {
      const page = await this.records.list(scope, { ids: unique.slice(from, from + 1_000), limit: 1_000 });
      for (const record of page.records) if (record.payload && record.deletedAt === null) found.push(record.payload);
    }
    return found;
  }

  /** batchUpdate: each record's fields merged over the payload saved before (ids not saved yet are taken as they are). */
  private async mergeWithSaved(scope: RecordScope, inputs: RecordInput[]): Promise<RecordInput[]> {
    const ids = [...new Set(inputs.map((input) => input.id))];
    const saved = new Map<string, Record<string, unknown>>();
    for (let from = 0; from < ids.length; from += 1_000) {
      const page = await this.records.list(scope, { ids: ids.slice(from, from + 1_000), limit: 1_000 });
      for (const record of page.records) if (record.payload) saved.set(record.id, record.payload);
    }
    return inputs.map((input) => ({ id: input.id, payload: { ...saved.get(input.id), ...input.payload } }));
  }
}

function modelOf(sync: SyncConfig, method: SyncCall, name: unknown): ModelConfig {
  const model = typeof name === 'string' ? sync.models.get(name) : undefined;
  if (!model) {
    const known = [...sync.models.keys()].join(', ');
    const given = typeof name !== 'string' ? 'no model' : describeId(name) === name ? `'${name}'` : describeId(name);
    throw new WorkerError('invalid_records', `${method} was given ${given}: sync ${sync.name} declares the models ${known}`);
  }
  return model;
}

/** The records of a call as stored: objects with a non-empty id (a number becomes its string). */
function recordsOf(method: SyncCall, model: ModelConfig, records: unknown): RecordInput[] {
  if (!Array.isArray(records)) throw new WorkerError('invalid_records', `${method}(${model.name}) takes an array of records`);
  if (records.length > MAX_BATCH_RECORDS) {
    throw new WorkerError(
      'invalid_records',
      `${method}(${model.name}) was given ${records.length} records: at most ${MAX_BATCH_RECORDS} per call`,
    );
  }
  const bad: string[] = [];
  const inputs: RecordInput[] = [];
  records.forEach((record: unknown, index) => {
    const id = record !== null && typeof record === 'object' ? (record as { id?: unknown }).id : undefined;
    if (Array.isArray(record) || (typeof id !== 'string' && typeof id !== 'number') || id === '') {
      bad.push(`record #${index} is not an object with an id (a non-empty string or a number)`);
      return;
    }
    // PostgreSQL cannot store U+0000 in text (SQLite can): refused on both, so both stores behave alike.
    if (typeof id === 'string' && id.includes('\u0000')) {
      bad.push(`record ${describeId(id)}: its id ${NUL_REFUSAL}`);
      return;
    }
    inputs.push({ id: String(id), payload: { ...(record as Record<string, unknown>), id: String(id) } });
  });
  if (bad.length > 0) throw invalidRecords(method, model, bad);
  return inputs;
}

/** Every record against the model's schema; one bad record and none of the batch is saved. */
function checkRecords(method: SyncCall, model: ModelConfig, inputs: RecordInput[]): void {
  if (!model.schema) return;
  const bad: string[] = [];
  for (const input of inputs) {
    const problems = recordProblems(model.schema as Record<string, unknown>, input.payload);
    if (problems.length > 0) bad.push(`record ${describeId(input.id)}: ${problems.join('; ')}`);
  }
  if (bad.length > 0) throw invalidRecords(method, model, bad);
}

/**
 * An id (or a model name) as an error message quotes it: as it is, or as a JSON string when it holds control
 * characters, so that the message, which is logged and stored as the run's error, never carries a NUL.
 */
function describeId(id: string): string {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  return /[\u0000-\u001f\u007f]/.test(id) ? JSON.stringify(id) : id;
}

function invalidRecords(method: SyncCall, model: ModelConfig, bad: string[]): WorkerError {
  const more = bad.length > NAMED_PROBLEMS ? ` (and ${bad.length - NAMED_PROBLEMS} more)` : '';
  return new WorkerError(
    'invalid_records',
    `${method}(${model.name}) saved nothing: ${bad.slice(0, NAMED_PROBLEMS).join(' | ')}${more}`,
  );
}

function checkpointOf(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new WorkerError('invalid_records', 'saveCheckpoint takes a JSON object, e.g. { cursor: "…" }');
  }
  return value as Record<string, unknown>;
}

const SYNC_CALLS: ReadonlySet<string> = new Set<SyncCall>([
  'batchSave',
  'batchUpdate',
  'batchDelete',
  'saveCheckpoint',
  'clearCheckpoint',
  'trackDeletesEnd',
  'getRecordsByIds',
]);

function isSyncCall(method: WorkerCall): method is SyncCall {
  return SYNC_CALLS.has(method);
}
