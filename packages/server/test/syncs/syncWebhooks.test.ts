import { syncWebhooks, type RunReport } from '../../src/syncs/syncWebhooks';

const T0 = Date.UTC(2026, 0, 1, 12);
const report: RunReport = {
  integration: 'github',
  userId: 'alice',
  sync: 'issues',
  variant: 'base',
  models: ['Issue', 'Comment'],
  full: false,
  startedAt: T0,
  finishedAt: T0 + 5_000,
  results: { Issue: { added: 2, updated: 1, deleted: 0 }, Comment: { added: 0, updated: 0, deleted: 0 } },
};
const defaults = { webhookOnSyncCompletionAlways: false, webhookOnSyncError: true };

describe('syncWebhooks', () => {
  it('sends one success per model that changed, with its counts and when the run started', () => {
    expect(syncWebhooks(report, defaults)).toEqual([
      {
        from: 'nango',
        type: 'sync',
        connectionId: 'alice',
        providerConfigKey: 'github',
        syncName: 'issues',
        syncVariant: 'base',
        model: 'Issue',
        syncType: 'INCREMENTAL',
        success: true,
        responseResults: { added: 2, updated: 1, deleted: 0 },
        modifiedAfter: '2026-01-01T12:00:00.000Z',
        queryTimeStamp: '2026-01-01T12:00:00.000Z',
      },
    ]);
  });

  it('sends every model, changed or not, when told to always; full runs are INITIAL', () => {
    const bodies = syncWebhooks({ ...report, full: true }, { ...defaults, webhookOnSyncCompletionAlways: true });
    expect(bodies.map((body) => [body.model, body.syncType, body.responseResults?.added])).toEqual([
      ['Issue', 'INITIAL', 2],
      ['Comment', 'INITIAL', 0],
    ]);
  });

  it('sends failures per model only while on sync error is on', () => {
    const failed: RunReport = { ...report, error: { type: 'sync_failed', description: 'boom' } };
    delete (failed as { results?: unknown }).results;
    const bodies = syncWebhooks(failed, defaults);
    expect(bodies).toHaveLength(2);
    expect(bodies[0]).toMatchObject({
      model: 'Issue',
      success: false,
      error: { type: 'sync_failed', description: 'boom' },
      startedAt: '2026-01-01T12:00:00.000Z',
      failedAt: '2026-01-01T12:00:05.000Z',
    });
    expect(bodies[0]).not.toHaveProperty('responseResults');
    expect(syncWebhooks(failed, { ...defaults, webhookOnSyncError: false })).toEqual([]);
  });
});
