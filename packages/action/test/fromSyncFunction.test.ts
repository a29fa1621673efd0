import * as z from 'zod';
import type { NangoConnection } from '@nangohq/protocol';
import { ACTION_CONTEXT, type ActionContext, type SyncCall } from '../src/context';
import { syncFromFunction } from '../src/fromSyncFunction';
import { NangoSync } from '../src/NangoSync';
import type { SyncRuntime } from '../src/syncRuntime';

const connection: NangoConnection = {
  uuid: 'uuid-1',
  integration: 'desk',
  userId: 'ann',
  dateCreated: '2026-01-01T00:00:00.000Z',
  lastModified: '2026-01-02T00:00:00.000Z',
  additionalConfig: {},
  authorization: 'ok',
  credentials: { api_key: 'k', raw: {} },
};

const Ticket = z.object({ id: z.string(), title: z.string() });

/** A sync run's context as the sandbox gives it, recording the worker calls (batchSave, checkpoints, …) it gets. */
function fakeContext(checkpoint: Record<string, unknown> | null = null) {
  const calls: [string, unknown][] = [];
  const context: ActionContext = {
    connection,
    signal: new AbortController().signal,
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    httpRequest: () => Promise.reject(new Error('no requests in this test')),
    sync: {
      checkpoint,
      lastSyncDate: '2026-03-01T10:00:00.000Z',
      variant: 'eu',
      paginate: undefined,
      call: (method: SyncCall, args: unknown) => {
        calls.push([method, args]);
        // getRecordsByIds: the worker answers the saved records it found (here: t1 only).
        return Promise.resolve(method === 'getRecordsByIds' ? [{ id: 't1', title: 'saved' }] : null);
      },
    },
    call: (method, args) => {
      calls.push([method, args]);
      return Promise.resolve(null);
    },
  };
  return { context, calls };
}

/** Runs a createSync definition's exec (or, with `webhook`, its onWebhook) through syncFromFunction. */
async function run(
  definition: Record<string, unknown>,
  options: { checkpoint?: Record<string, unknown>; webhook?: unknown } = {},
) {
  const { default: Sync } = syncFromFunction({ default: { type: 'sync', models: { Ticket }, ...definition } }, 'desk.tickets');
  const sync = new Sync();
  const { context, calls } = fakeContext(options.checkpoint ?? null);
  sync[ACTION_CONTEXT] = context;
  const input = 'webhook' in options ? { webhook: options.webhook } : undefined;
  const error = await sync.executeAction(input).then(
    () => undefined,
    (failure: unknown) => failure as Error,
  );
  return { calls, error };
}

describe('a deployed sync run through syncFromFunction', () => {
  it('sends batchSave, batchUpdate and batchDelete to the worker, without the _nango_metadata of records read back', async () => {
    const { calls, error } = await run({
      exec: async (nango: SyncRuntime) => {
        await nango.batchSave([{ id: 't1', title: 'a', _nango_metadata: { x: 1 } }], 'Ticket');
        await nango.batchUpdate([{ id: 't1', title: 'b' }], 'Ticket');
        await nango.batchDelete([{ id: 't2' }], 'Ticket');
      },
    });
    expect(error).toBeUndefined();
    expect(calls).toEqual([
      ['batchSave', { model: 'Ticket', records: [{ id: 't1', title: 'a' }] }],
      ['batchUpdate', { model: 'Ticket', records: [{ id: 't1', title: 'b' }] }],
      ['batchDelete', { model: 'Ticket', records: [{ id: 't2' }] }],
    ]);
  });

  it('checks records against the zod model and saves none of a bad batch, naming each bad record', async () => {
    const { calls, error } = await run({
      exec: (nango: SyncRuntime) => nango.batchSave([{ id: 't1', title: 'a' }, { id: 't2', title: 5 } as never], 'Ticket'),
    });
    expect(calls).toEqual([]);
    expect(error?.message).toContain(
      "desk.tickets: batchSave(Ticket) saved nothing, records do not match the model: record 't2'",
    );
    expect(error?.message).toContain('title');
  });

  it('refuses a model the sync does not declare, naming those it does', async () => {
    const { error } = await run({ exec: (nango: SyncRuntime) => nango.batchSave([{ id: 'x' }], 'Other') });
    expect(error?.message).toBe('desk.tickets: batchSave(Other): the sync declares the models Ticket');
  });

  it('offers the checkpoint (read, saved after its schema check, cleared), lastSyncDate and the variant', async () => {
    const seen: unknown[] = [];
    const { calls, error } = await run(
      {
        checkpoint: z.object({ since: z.number() }),
        exec: async (nango: SyncRuntime) => {
          seen.push(await nango.getCheckpoint(), nango.lastSyncDate?.toISOString(), nango.variant, nango.modelFullName('Ticket'));
          await nango.saveCheckpoint({ since: 9 });
          seen.push(await nango.getCheckpoint());
          await nango.clearCheckpoint();
          seen.push(await nango.getCheckpoint());
          await nango.saveCheckpoint({ since: 'nine' });
        },
      },
      { checkpoint: { since: 3 } },
    );
    expect(seen).toEqual([{ since: 3 }, '2026-03-01T10:00:00.000Z', 'eu', 'Ticket::eu', { since: 9 }, null]);
    expect(calls).toEqual([
      ['saveCheckpoint', { checkpoint: { since: 9 } }],
      ['clearCheckpoint', {}],
    ]);
    expect(error?.message).toContain('desk.tickets: saveCheckpoint:');
  });

  it('tracks deletes with trackDeletesStart / trackDeletesEnd (and the older deleteRecordsFromPreviousExecutions)', async () => {
    const results: unknown[] = [];
    const { calls, error } = await run({
      trackDeletes: true,
      exec: async (nango: SyncRuntime) => {
        results.push(nango.track_deletes);
        await nango.trackDeletesStart('Ticket');
        results.push(await nango.trackDeletesEnd('Ticket'));
        await nango.deleteRecordsFromPreviousExecutions('Ticket');
      },
    });
    expect(error).toBeUndefined();
    expect(results).toEqual([true, { deletedKeys: [] }]);
    expect(calls).toEqual([
      ['trackDeletesEnd', { model: 'Ticket' }],
      ['trackDeletesEnd', { model: 'Ticket' }],
    ]);
  });

  it('reads saved records with getRecordsByIds, keyed by the ids as given', async () => {
    let found: Map<unknown, unknown> | undefined;
    const { calls, error } = await run({
      exec: async (nango: SyncRuntime) => {
        found = await nango.getRecordsByIds(['t1', 't2'], 'Ticket');
      },
    });
    expect(error).toBeUndefined();
    expect(calls).toEqual([['getRecordsByIds', { model: 'Ticket', ids: ['t1', 't2'] }]]);
    expect([...(found ?? [])]).toEqual([['t1', { id: 't1', title: 'saved' }]]);
  });

  it('runs onWebhook with the payload when the run is a webhook run, and says so when there is none', async () => {
    const payloads: unknown[] = [];
    const handled = await run(
      {
        exec: () => Promise.reject(new Error('exec must not run')),
        onWebhook: async (nango: SyncRuntime, payload: unknown) => {
          payloads.push(payload);
          await nango.batchSave([{ id: 't9', title: 'from a webhook' }], 'Ticket');
        },
      },
      { webhook: { event: 'ticket.created' } },
    );
    expect(handled.error).toBeUndefined();
    expect(payloads).toEqual([{ event: 'ticket.created' }]);
    expect(handled.calls).toEqual([['batchSave', { model: 'Ticket', records: [{ id: 't9', title: 'from a webhook' }] }]]);
    const missing = await run({ exec: () => undefined }, { webhook: {} });
    expect(missing.error?.message).toBe('desk.tickets: the sync has no onWebhook handler');
  });

  it('refuses a bundle whose default export is not made by createSync', () => {
    expect(() => syncFromFunction({ default: { type: 'sync' } }, 'desk.bad')).toThrow(
      "desk.bad: the deployed bundle's default export is not a function made by createSync (no exec)",
    );
  });

  it('passes through the one NangoSync class a bundle of our format exports (deployed by our CLI)', () => {
    class Own extends NangoSync {
      override async fetchData() {}
    }
    expect(syncFromFunction({ default: Own }, 'desk.own').default).toBe(Own);
    class Other extends Own {}
    expect(() => syncFromFunction({ Own, Other }, 'desk.two')).toThrow('desk.two: the deployed bundle');
  });
});
