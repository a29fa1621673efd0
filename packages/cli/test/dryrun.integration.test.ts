import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replayRecording, type Recording } from '@nangohq/action/testing';
import { startApi, type ApiHarness } from '../../server/test/helpers/apiHarness';
import { startApiServer, type ApiServer } from '../../server/test/helpers/apiServer';
import GetBalance from '../../../integrations/stripe/getBalance.action';
import Issues from '../../../integrations/tracker/issues.sync';

/** The built bin, run as a user runs it (npm test builds first). */
const BIN = join(__dirname, '..', 'dist', 'cli.js');
/** The repository's example integrations: the dry run compiles and runs these very files. */
const INTEGRATIONS = join(__dirname, '..', '..', '..', 'integrations');
const KEY = 'dryrun-cli-secret-key';
const STRIPE_KEY = 'sk_test_dryrun_4242_secret';
const TRACKER_KEY = 'tracker-key-dryrun-9876';

function nango(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const clean = { ...process.env, NANGO_HOSTPORT: undefined, NANGO_SECRET_KEY: undefined, ...env };
    execFile(process.execPath, [BIN, ...args], { env: clean, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** The tracker's two pages of issues (one deleted) and Stripe's balance; each reply echoes the credential it got. */
function provider(request: { url: string; headers: Record<string, unknown> }) {
  const url = new URL(request.url, 'http://provider');
  if (url.pathname === '/issues') {
    const seen = String(request.headers['x-api-key']);
    if (url.searchParams.get('cursor') === 'page-2') {
      return { body: { items: [{ id: 3, title: 'Third', state: 'open', updated: 30 }], next: null, seen } };
    }
    return {
      body: {
        items: [
          { id: 1, title: 'First', state: 'open', updated: 10 },
          { id: 2, title: 'Second', state: 'closed', updated: 20, deleted: true },
        ],
        next: 'page-2',
        seen,
      },
    };
  }
  if (url.pathname === '/v1/balance') {
    return { body: { available: [{ amount: 1200, currency: 'usd' }], echo: String(request.headers.authorization) } };
  }
  return { status: 404, body: { error: 'no such endpoint' } };
}

// Each step starts a node process that compiles a function: slow on a busy 2-core machine.
jest.setTimeout(90_000);

/**
 * Our CLI's `nango dryrun` runs an example action and sync of integrations/ in its own process against a running
 * server: the Connection and the provider calls go through the server (its /connection and /proxy), nothing is
 * stored there, and `--save` writes recordings without a secret that replay offline.
 */
describe('nango dryrun of our own CLI', () => {
  let api: ApiHarness;
  let mock: ApiServer;
  let env: Record<string, string>;
  let saveDir: string;

  beforeAll(async () => {
    mock = await startApiServer(provider);
    saveDir = mkdtempSync(join(tmpdir(), 'nango-dryrun-save-'));
    api = await startApi({
      secretKey: KEY,
      integrationsDir: INTEGRATIONS,
      yaml: `integrations:
  stripe:
    auth_mode: API_KEY
    base_url: ${mock.url}/v1
    headers:
      Authorization: Bearer \${api_key}
    actions:
      getBalance:
  tracker:
    auth_mode: API_KEY
    base_url: ${mock.url}
    headers:
      X-Api-Key: \${api_key}
    syncs:
      issues:
        auto_start: false
        models:
          TrackerIssue:
            type: object
            properties: { id: { type: integer }, title: { type: string }, state: { type: string }, updated: { type: integer } }
            required: [id]
`,
    });
    env = { NANGO_HOSTPORT: api.url, NANGO_SECRET_KEY: KEY };
    for (const [integration, apiKey] of [
      ['stripe', STRIPE_KEY],
      ['tracker', TRACKER_KEY],
    ] as const) {
      const created = await api.call('/connections', {
        key: KEY,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          provider_config_key: integration,
          connection_id: 'user-1',
          credentials: { type: 'API_KEY', apiKey },
          metadata: { team: 'blue' },
        }),
      });
      expect(created.status).toBe(201);
    }
  });

  afterAll(async () => {
    await api?.stop();
    await mock?.close();
    rmSync(saveDir, { recursive: true, force: true });
  });

  it('runs an action: prints its output, the provider called with the Connection credential; records no secret', async () => {
    const run = await nango(['dryrun', 'stripe', 'getBalance', 'user-1', '--integrations', INTEGRATIONS, '--save', saveDir], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Dry run of action stripe/getBalance');
    expect(run.stdout).toContain('Output:\n{\n  "usd": 1200\n}');
    expect(mock.requests.at(-1)).toMatchObject({ method: 'GET', url: '/v1/balance' });
    expect(mock.requests.at(-1)?.headers.authorization).toBe(`Bearer ${STRIPE_KEY}`);

    const file = join(saveDir, 'stripe', 'getBalance.recording.json');
    expect(run.stdout).toContain(`Recorded 1 provider call(s) to ${file}`);
    const text = readFileSync(file, 'utf8');
    // The provider echoed the key in its reply: stripped, as are the credentials and the server's key.
    expect(text).not.toContain(STRIPE_KEY);
    expect(text).not.toContain(KEY);
    const recording = JSON.parse(text) as Recording;
    expect(recording).toMatchObject({
      version: 1,
      integration: 'stripe',
      function: 'getBalance',
      kind: 'action',
      connection: { userId: 'user-1', additionalConfig: { team: 'blue' }, credentials: { api_key: '<redacted>' } },
      result: { output: { usd: 1200 } },
    });
    expect(recording.requests).toHaveLength(1);
    expect(recording.requests[0]).toMatchObject({ method: 'GET', endpoint: 'balance', response: { status: 200 } });
    expect(JSON.parse(recording.requests[0]?.response.text ?? '')).toEqual({
      available: [{ amount: 1200, currency: 'usd' }],
      echo: 'Bearer <redacted>',
    });
  });

  it('runs a sync: prints the records it would save across pages, stores none, and records no secret', async () => {
    const run = await nango(['dryrun', 'tracker', 'issues', 'user-1', '--integrations', INTEGRATIONS, '--save', saveDir], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('TrackerIssue: 2 saved, 0 updated, 1 deleted');
    expect(run.stdout).toContain('"title": "Third"');
    expect(run.stdout).toContain('[info] read 3 changed issue(s) since 0');
    expect(run.stdout).toContain('Checkpoint: {"since":30}');
    const calls = mock.requests.filter((request) => request.url.startsWith('/issues'));
    expect(calls.map((call) => call.url)).toEqual(['/issues?since=0&limit=100', '/issues?since=0&limit=100&cursor=page-2']);
    expect(calls.every((call) => call.headers['x-api-key'] === TRACKER_KEY)).toBe(true);

    // Nothing stored: the server's records of the sync stay empty.
    const records = await api.call('/records?model=TrackerIssue', {
      key: KEY,
      headers: { 'connection-id': 'user-1', 'provider-config-key': 'tracker' },
    });
    expect(records).toMatchObject({ status: 200, body: { records: [] } });

    const text = readFileSync(join(saveDir, 'tracker', 'issues.recording.json'), 'utf8');
    expect(text).not.toContain(TRACKER_KEY);
    expect(text).toContain('"seen\\":\\"<redacted>\\"');
    const recording = JSON.parse(text) as Recording;
    expect(recording.requests.map((request) => request.params)).toEqual([
      { since: 0, limit: 100 },
      { since: 0, limit: 100, cursor: 'page-2' },
    ]);
    expect(recording.result.records['TrackerIssue']?.deleted).toEqual([{ id: 2 }]);
  });

  it('replays both recordings offline, with the provider stopped', async () => {
    await mock.close();
    const before = mock.requests.length;
    const action = await replayRecording(GetBalance, join(saveDir, 'stripe', 'getBalance.recording.json'));
    expect(action.result.output).toEqual({ usd: 1200 });
    expect(action.result.output).toEqual(action.recording.result.output);

    const sync = await replayRecording(Issues, join(saveDir, 'tracker', 'issues.recording.json'));
    expect(sync.result.records).toEqual({
      TrackerIssue: {
        saved: [
          { id: 1, title: 'First', state: 'open', updated: 10 },
          { id: 3, title: 'Third', state: 'open', updated: 30 },
        ],
        updated: [],
        deleted: [{ id: 2 }],
      },
    });
    expect(sync.result.records).toEqual(sync.recording.result.records);
    expect(sync.result.checkpoint).toEqual({ since: 30 });
    expect(mock.requests.length).toBe(before);
  });

  it('names the problem: an unknown Connection, an unreachable server, an unknown function, bad input', async () => {
    const unknown = await nango(['dryrun', 'stripe', 'getBalance', 'nobody', '--integrations', INTEGRATIONS], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('nobody');
    expect(unknown.stderr).toContain("'stripe'");

    const closed = 'http://127.0.0.1:9';
    const down = await nango(['dryrun', 'stripe', 'getBalance', 'user-1', '--integrations', INTEGRATIONS], {
      NANGO_HOSTPORT: closed,
    });
    expect(down).toMatchObject({ code: 1, stderr: expect.stringContaining(`Cannot reach the Nango server at ${closed}`) });

    const missing = await nango(['dryrun', 'stripe', 'refund', 'user-1', '--integrations', INTEGRATIONS], env);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining('no refund.action.ts or refund.sync.ts') });
    expect(missing.stderr).toContain('getBalance.action');

    const badInput = await nango(
      ['dryrun', 'stripe', 'getBalance', 'user-1', '--integrations', INTEGRATIONS, '--input', '{nope'],
      env,
    );
    expect(badInput).toMatchObject({ code: 2, stderr: expect.stringContaining('--input is not JSON') });

    const help = await nango(['dryrun', '--help'], {});
    expect(help).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('Usage: nango dryrun <integration> <function> <connection_id>'),
    });
  });
});
