import { ActionLogRedactor } from '../actions/ActionLogRedactor';
import type { SyncConfig } from '../config/types';
import { WorkerError } from '../errors';
import { freshConnection } from '../operations/freshConnection';
import type { OperationContext } from '../operations/OperationContext';
import type { Logger } from '../logger';
import { failureOf } from '../operationLog/failureOf';
import type { OperationHandle } from '../operationLog/OperationLog';
import type { StartedRun, SyncScheduleStore } from '../store/SyncScheduleStore';
import type { Webhooks } from '../webhooks/Webhooks';
import type { SyncExecutor, SyncRunResult } from './SyncExecutor';
import { syncWebhooks, type SyncWebhookSwitches } from './syncWebhooks';
import { checkpointField, countFields } from './syncOperationFields';

/** What one run needs. */
export interface RunContext {
  readonly schedules: SyncScheduleStore;
  readonly operations: OperationContext;
  readonly executor: SyncExecutor;
  readonly webhooks: Webhooks;
  readonly switches: SyncWebhookSwitches;
  readonly logger: Logger;
  /** Lease length; the lease is renewed every third of it. */
  readonly leaseMs: number;
  /** Who runs it (this worker's id). */
  readonly owner: string;
}

/** Why a run was stopped from outside. */
export type StopReason = 'shutdown' | 'lease_lost' | 'timeout';

/** How a run ended, for the caller's logs and tests. */
export type RunEnd = 'stale' | 'success' | 'failure' | 'released' | 'lost';

/**
 * Runs one claimed sync run: starts it (a stale or duplicate message is dropped), reads the Connection fresh, calls
 * the executor with a signal that fires at the time limit, when the lease is lost or at `stop`, renews the lease
 * while it runs, stores checkpoints as the script saves them, then records the outcome and the next run time and
 * sends the run's `sync` webhooks. A run stopped by shutdown frees its lease, so another worker resumes it at once
 * from its checkpoint. Each run that starts is a `sync` operation: its counts and the checkpoint it reached as fields,
 * the script's log lines as messages; stopped by shutdown or a lost lease it ends `cancelled`.
 */
export async function runSync(context: RunContext, id: string, runId: string, stop: AbortSignal): Promise<RunEnd> {
  const { schedules, owner, leaseMs, logger } = context;
  const started = await schedules.begin(id, runId, owner, Date.now() + leaseMs);
  if (!started) return 'stale';
  const { schedule } = started;
  const operation = context.operations.log.start({
    kind: 'sync',
    name: schedule.sync,
    integration: schedule.integration,
    connectionId: schedule.userId,
    fields: { variant: schedule.variant, runId },
    startedAt: started.startedAt,
  });
  const tags = { integration: schedule.integration, sync: schedule.sync, variant: schedule.variant, runId };
  const log = logger.child(operation.id ? { ...tags, operationId: operation.id } : tags);
  const sync = context.operations.integrations().integrations.get(schedule.integration)?.syncs.get(schedule.sync);
  const controller = new AbortController();
  let reason: StopReason | undefined;
  const abort = (why: StopReason) => {
    reason ??= why;
    controller.abort(new WorkerError(why === 'timeout' ? 'action_timeout' : 'internal_error', abortMessage(why, sync)));
  };
  const onStop = () => abort('shutdown');
  stop.addEventListener('abort', onStop);
  if (stop.aborted) abort('shutdown');
  // The lease as this worker last wrote it: a run that cannot renew it before it runs out stops, since another
  // worker may claim the run from then on.
  let heldUntil = Date.now() + leaseMs;
  const heartbeat = setInterval(
    () => {
      const until = Date.now() + leaseMs;
      schedules.renew(id, runId, until).then(
        (held) => (held ? (heldUntil = until) : abort('lease_lost')),
        (error: unknown) => {
          log.warn({ err: error }, 'could not renew a sync run lease; retrying');
          if (Date.now() + leaseMs / 3 >= heldUntil) abort('lease_lost');
        },
      );
    },
    Math.max(100, Math.floor(leaseMs / 3)),
  );
  const timer = sync ? setTimeout(() => abort('timeout'), sync.timeoutMs) : undefined;
  let result: SyncRunResult | undefined;
  let failure: unknown;
  const secrets = { scrub: (text: string) => text };
  try {
    result = await execute(context, started, sync, controller.signal, runId, operation, secrets);
  } catch (error) {
    failure = error;
  } finally {
    clearInterval(heartbeat);
    clearTimeout(timer);
    stop.removeEventListener('abort', onStop);
  }
  if (reason === 'lease_lost') {
    log.warn('a sync run lost its lease (another worker took it over); its outcome is dropped');
    operation.end('cancelled', { code: 'lease_lost', message: abortMessage('lease_lost', sync) });
    return 'lost';
  }
  if (reason === 'shutdown') {
    operation.end('cancelled', {
      code: 'worker_stopping',
      message: `${abortMessage('shutdown', sync)}; the run resumes elsewhere`,
    });
    await schedules.release(id, runId);
    log.info('a sync run was stopped by the worker stopping; another worker resumes it from its checkpoint');
    return 'released';
  }
  const failed = reason === 'timeout' ? timeoutError(sync) : failure;
  try {
    return await finish(context, started, sync, result, failed, runId, log, { operation, scrub: secrets.scrub });
  } catch (error) {
    const ended = failureOf(error);
    operation.end(ended.status, ended.error); // ignored when finish ended it already
    throw error;
  }
}

/** The executor's part: the Connection fresh, the job, the hooks. */
async function execute(
  context: RunContext,
  started: StartedRun,
  sync: SyncConfig | undefined,
  signal: AbortSignal,
  runId: string,
  operation: OperationHandle,
  secrets: { scrub: (text: string) => string },
): Promise<SyncRunResult> {
  const { schedule } = started;
  if (!sync) {
    throw new WorkerError(
      'unknown_sync',
      `no sync '${schedule.sync}' of integration '${schedule.integration}' is declared in integrations.yaml or deployed`,
    );
  }
  const { connection } = await freshConnection(context.operations, schedule.integration, schedule.userId, false, operation.id);
  // The checkpoint summary on the operation is the script's data: this Connection's secrets are taken out of it.
  const redactor = new ActionLogRedactor(connection.credentials);
  secrets.scrub = (text) => redactor.message(text);
  const full = sync.syncType === 'full' || schedule.fullPending;
  operation.set({ full });
  const lastSyncDate = schedule.lastSuccessStartedAt === null ? null : new Date(schedule.lastSuccessStartedAt).toISOString();
  return context.executor.run(
    {
      runId,
      integration: schedule.integration,
      sync: schedule.sync,
      variant: schedule.variant,
      connection,
      checkpoint: schedule.checkpoint,
      full,
      lastSyncDate,
    },
    {
      signal,
      operation,
      saveCheckpoint: async (checkpoint) => {
        if (!(await context.schedules.saveCheckpoint(schedule.id, runId, checkpoint))) {
          throw new WorkerError('internal_error', 'this sync run lost its lease to another worker; it stops here');
        }
      },
    },
  );
}

/** Records the outcome, then sends the webhooks (a webhook that cannot be stored is logged, the outcome stays). */
async function finish(
  context: RunContext,
  started: StartedRun,
  sync: SyncConfig | undefined,
  result: SyncRunResult | undefined,
  failure: unknown,
  runId: string,
  log: Logger,
  recorded: { operation: OperationHandle; scrub: (text: string) => string },
): Promise<RunEnd> {
  const { operation } = recorded;
  const { schedule, triggerSeq, startedAt } = started;
  const finishedAt = Date.now();
  const success = failure === undefined && result !== undefined;
  const error = success ? null : describeFailure(failure);
  if (!success && error?.type === 'internal_error') log.error({ err: failure }, 'a sync run failed unexpectedly');
  const current = await context.schedules.get(schedule);
  const checkpoint = success ? (sync?.syncType === 'full' ? null : result.checkpoint) : (current?.checkpoint ?? null);
  const stored = await context.schedules.finish(schedule.id, runId, {
    startedAt,
    finishedAt,
    frequencyMs: schedule.frequencyMs ?? sync?.frequencyMs ?? 3_600_000,
    triggerSeq,
    success,
    counts: success ? result.models : null,
    error,
    checkpoint,
  });
  operation.set(checkpointField(checkpoint, recorded.scrub));
  if (success) operation.set(countFields(result.models));
  if (!stored) {
    log.warn('a sync run ended after losing its lease; its outcome is dropped');
    operation.end('cancelled', {
      code: 'lease_lost',
      message: 'the sync run ended after losing its lease; its outcome is dropped',
    });
    return 'lost';
  }
  if (!sync) {
    // Its sync is gone (removed from integrations.yaml, or from the functions deployed): one failure is recorded and
    // sent, then the schedule is paused rather than failing at every due time; startSync resumes it once it is back.
    await context.schedules.setStatus([schedule.id], 'paused');
    log.warn('a sync run found its sync neither declared nor deployed; its schedule is paused');
  }
  if (success) operation.end('success');
  else {
    const code = error?.type ?? 'internal_error';
    operation.end(code === 'sync_timeout' ? 'timed_out' : 'failed', { code, message: error?.description ?? '' });
  }
  if (success) log.info({ models: result.models, ms: finishedAt - startedAt }, 'sync run done');
  else log.warn({ error: error?.type, message: error?.description }, 'sync run failed');
  const bodies = syncWebhooks(
    {
      integration: schedule.integration,
      userId: schedule.userId,
      sync: schedule.sync,
      variant: schedule.variant,
      models: sync ? [...sync.models.keys()] : Object.keys(result?.models ?? {}),
      full: sync?.syncType === 'full' || schedule.fullPending,
      startedAt,
      finishedAt,
      ...(success ? { results: result.models } : error && { error }),
    },
    context.switches,
  );
  for (const body of bodies) {
    await context.webhooks.enqueue(body).catch((webhookError: unknown) => {
      log.error({ err: webhookError, model: body.model }, 'could not store a sync webhook');
    });
  }
  return success ? 'success' : 'failure';
}

/** A failure as the webhook and syncStatus show it: our code and message; anything else as an internal error. */
function describeFailure(failure: unknown): { type: string; description: string } {
  if (failure instanceof WorkerError) return { type: failure.code, description: failure.message };
  const code = (failure as { code?: unknown } | undefined)?.code;
  if (failure instanceof Error && typeof code === 'string') return { type: code, description: failure.message };
  return { type: 'internal_error', description: 'the sync run failed unexpectedly; see the worker log' };
}

/** A run past its time limit fails as `sync_timeout` (it goes on from its checkpoint next time). */
function timeoutError(sync: SyncConfig | undefined): Error {
  return Object.assign(new Error(abortMessage('timeout', sync)), { code: 'sync_timeout' });
}

function abortMessage(why: StopReason, sync: SyncConfig | undefined): string {
  if (why === 'timeout') return `the sync run took longer than its time limit (timeout_ms: ${sync?.timeoutMs ?? '?'})`;
  if (why === 'lease_lost') return 'the sync run lost its lease to another worker';
  return 'the worker is stopping';
}
