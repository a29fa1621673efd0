import { join } from 'node:path';
import { generateKey } from '../../src/encryption/Keyring';
import { startApiServer, type ApiServer } from '../helpers/apiServer';
import { startHarness, type Harness } from '../helpers/harness';
import { createTestDatabase, type TestDatabase } from '../helpers/pgDatabase';
import { RecordingOperationLog } from '../helpers/RecordingOperationLog';

const KEY = 'tracker-key-2c4e6a';
const ISSUES = 250;

/** The tracker's issues as its API serves them: `updated` is a change counter, `deleted` a tombstone. */
interface Issue {
  id: number;
  title: string;
  updated: number;
  deleted?: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- records are read by shape
type Row = Record<string, any>;

describe.each(['sqlite', 'postgres'] as const)('sync runs in the operations log (the sandboxed script, %s)', (kind) => {
  let api: ApiServer;
  let issues: Issue[];
  let clock = 0;
  let failing = false;
  let database: TestDatabase | undefined;
  let h: Harness;
  let log: RecordingOperationLog;
  const savedKey = process.env['NANGO_ENCRYPTION_KEY'];

  beforeAll(async () => {
    issues = Array.from({ length: ISSUES }, (_, n) => ({ id: n + 1, title: `issue ${n + 1}`, updated: ++clock }));
    api = await startApiServer((request) => {
      if (failing) return { status: 503, body: { error: 'down' } };
      if (request.headers['x-api-key'] !== KEY) return { status: 401, body: { error: 'no key' } };
      const url = new URL(request.url, 'http://x');
      const since = Number(url.searchParams.get('since') ?? 0);
      const from = Number(url.searchParams.get('cursor') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 100);
      const changed = issues.filter((issue) => issue.updated > since).sort((a, b) => a.updated - b.updated);
      return {
        body: { items: changed.slice(from, from + limit), next: from + limit < changed.length ? String(from + limit) : null },
      };
    });
    database = kind === 'postgres' ? await createTestDatabase() : undefined;
    if (database) process.env['NANGO_ENCRYPTION_KEY'] ??= generateKey();
    log = new RecordingOperationLog();
    h = await startHarness({
      yaml: `
integrations:
  keyed:
    auth_mode: API_KEY
    base_url: ${api.url}
    headers:
      X-Api-Key: \${api_key}
    syncs:
      issues:
        models:
          Issue:
            type: object
            properties: { id: { type: string }, title: { type: string } }
            required: [id, title]
        frequency: every 30 minutes
`,
      integrationsDir: join(__dirname, '..', 'fixtures', 'operations'),
      operationLog: log,
      syncTickMs: 100,
      ...(database && { databaseUrl: database.url }),
    });
  }, 30_000);
  afterAll(async () => {
    await h?.stop();
    await api?.close();
    await database?.drop();
    if (savedKey === undefined) delete process.env['NANGO_ENCRYPTION_KEY'];
  });

  const url = () => h.worker.httpUrl as string;
  const headers = { 'connection-id': 'u1', 'provider-config-key': 'keyed' };

  /** Every record of the Connection, deleted ones included, page by page. */
  async function records(): Promise<Row[]> {
    const all: Row[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `model=Issue&limit=100${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
      const page = (await (await fetch(`${url()}/records?${query}`, { headers })).json()) as {
        records: Row[];
        next_cursor: string | null;
      };
      all.push(...page.records);
      cursor = page.next_cursor;
    } while (cursor !== null);
    return all;
  }

  /** The first sync run to start after `before` runs had, once it has ended. */
  const runAfter = (before: number) => log.ended('sync', (op) => op.id === log.ofKind('sync')[before]?.id, 20_000);

  const trigger = () =>
    fetch(`${url()}/sync/trigger`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider_config_key: 'keyed', syncs: ['issues'], connection_id: 'u1' }),
    });

  it('records a run with its counts (matching the records), the checkpoint reached, and the script lines', async () => {
    await h.nango.registerConnection('keyed', 'u1', { api_key: KEY });
    const run = await log.ended('sync', (op) => op.connectionId === 'u1', 20_000);
    expect(run).toMatchObject({
      name: 'issues',
      integration: 'keyed',
      status: 'success',
      error: null,
      fields: { variant: 'base', full: true, added: ISSUES, updated: 0, deleted: 0, 'Issue.added': ISSUES },
    });
    expect(run.messages.map((message) => message.text)).toEqual([
      'a page of 100 issues',
      'a page of 100 issues',
      'a page of 50 issues',
    ]);
    // The script put its key in the checkpoint: the summary shows where it got to, not the key.
    expect(run.fields['checkpoint']).toBe(`{"since":${ISSUES},"key":"[redacted]"}`);
    expect(await records()).toHaveLength(ISSUES);
  }, 30_000);

  it('counts what changed in the next run, and matches the records again', async () => {
    for (const issue of issues.slice(0, 5)) Object.assign(issue, { title: `${issue.title} (edited)`, updated: ++clock });
    for (const issue of issues.slice(5, 8)) Object.assign(issue, { deleted: true, updated: ++clock });
    const before = log.ofKind('sync').length;
    expect((await trigger()).status).toBe(200);
    const run = await runAfter(before);
    expect(run).toMatchObject({ status: 'success', fields: { full: false, added: 0, updated: 5, deleted: 3 } });
    const all = await records();
    const gone = all.filter((record) => record['_nango_metadata']?.deleted_at !== null);
    expect(gone).toHaveLength(3);
    expect(all.filter((record) => String(record['title']).endsWith('(edited)'))).toHaveLength(5);
  }, 30_000);

  it('records a run that fails with its error, keeping the checkpoint it had reached', async () => {
    failing = true;
    try {
      const before = log.ofKind('sync').length;
      expect((await trigger()).status).toBe(200);
      const run = await runAfter(before);
      expect(run?.status).toBe('failed');
      // The script's own error, as the sync's webhook and status report it.
      expect(run?.error).toEqual({ code: 'action_failed', message: 'paginate: GET /issues answered 503' });
      expect(run?.messages.at(-1)).toMatchObject({ level: 'error', text: expect.stringContaining('issues.sync.ts') });
      expect(run?.fields['checkpoint']).toBe(`{"since":${clock},"key":"[redacted]"}`);
    } finally {
      failing = false;
    }
  }, 30_000);
});
