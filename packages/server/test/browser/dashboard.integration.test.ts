import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startApiServer, type ApiServer } from '../helpers/apiServer';
import { launchChromium } from '../helpers/chromium';
import { startHarness, waitFor, type Harness } from '../helpers/harness';

// The dashboard as an operator uses it at 2 am, end to end: a real worker (RabbitMQ, SQLite, its HTTP API and the
// built pages), a local API playing the provider, a webhook receiver that is down and then back, and Chromium. Sign
// in; find the Connection whose action failed; read the failed operation's error and last log line; edit the
// Connection's metadata; trigger its sync and watch it finish; replay the failed webhook; try an action; sign out.
// Every page is screenshotted (NANGO_TEST_SCREENSHOTS=<folder> keeps them there, as docs/images/dashboard was made).

const SHOTS = process.env['NANGO_TEST_SCREENSHOTS'] ?? join(tmpdir(), 'nango-dashboard');
const SECRET_KEY = 'dashboard-e2e-secret';
const API_KEY = 'tracker-key-never-on-a-page';

interface Issue {
  id: number;
  title: string;
  updated: number;
}

jest.setTimeout(60_000);

describe('the dashboard, end to end in Chromium', () => {
  let tracker: ApiServer;
  let receiver: ApiServer;
  let h: Harness;
  let browser: Browser;
  let page: Page;
  let base: string;
  let receiverDown = true;
  const issues: Issue[] = [1, 2, 3].map((id) => ({ id, title: `issue ${id}`, updated: id }));
  const problems: string[] = [];
  /** Errors the steps cause on purpose (the page shows them), which the console reports as failed loads. */
  const expected: RegExp[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    tracker = await startApiServer((request) => {
      if (request.headers['x-api-key'] !== API_KEY) return { status: 401, body: { error: 'no key' } };
      return { body: { items: issues, next: null } };
    });
    receiver = await startApiServer(() => (receiverDown ? { status: 503, body: { error: 'down' } } : { body: { ok: true } }));
    h = await startHarness({
      yaml: `
integrations:
  keyed:
    auth_mode: API_KEY
    base_url: ${tracker.url}
    headers:
      X-Api-Key: \${api_key}
    actions:
      behaves:
    syncs:
      issues:
        models:
          Issue:
            type: object
            properties: { id: { type: string }, title: { type: string } }
            required: [id, title]
        frequency: every day
`,
      integrationsDir: join(__dirname, '..', 'fixtures', 'operations'),
      port: 0,
      secretKey: SECRET_KEY,
      syncTickMs: 100,
      webhookUrl: `${receiver.url}/hooks`,
      webhookMaxAttempts: 1,
      webhookRetryBaseMs: 0,
    });
    base = h.worker.httpUrl as string;
    await h.nango.registerConnection('keyed', 'acme', { api_key: API_KEY });
    await h.nango.registerConnection('keyed', 'globex', { api_key: API_KEY });
    await h.nango.triggerAction('keyed', 'behaves', 'globex', { lines: ['all good'] });
    await h.nango
      .triggerAction('keyed', 'behaves', 'acme', { lines: ['loading inv_42', 'the API answered 404'], fail: 'inv_42 not found' })
      .catch(() => undefined);

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (message) => {
      // A failed load is reported with its address by the response listener below, which knows the expected ones.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('request', (request) => {
      if (!request.url().startsWith(base)) problems.push(`request to another host: ${request.url()}`);
    });
    page.on('response', (response) => {
      const url = response.url();
      if (response.status() >= 400 && !expected.some((pattern) => pattern.test(url))) {
        problems.push(`${response.status()} for ${url}`);
      }
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
    await tracker?.close();
    await receiver?.close();
  });

  /** A full-page screenshot of the current page, to look at (and for the docs). */
  const shoot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const api = async (path: string) =>
    (await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${SECRET_KEY}` } })).json() as Promise<
      Record<string, unknown>
    >;

  it('sends a page with no session to sign-in, refuses a wrong key next to its field, then goes where it was asked', async () => {
    await page.goto(`${base}/dashboard/connections`);
    await page.waitForURL(/\/dashboard\/sign-in\?next=/);
    expected.push(/\/dashboard\/session$/);
    await page.getByLabel('Secret key').fill('not-the-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#secret-key-error').waitFor();
    expect(await page.getAttribute('#secret-key', 'aria-describedby')).toContain('secret-key-error');
    await shoot('sign-in');
    await page.getByLabel('Secret key').fill(SECRET_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/dashboard/connections`);
    await page.getByRole('link', { name: 'acme', exact: true }).waitFor();
    await shoot('connections');
  });

  it('finds the Connection whose action failed, and reads the error and last log line of the failed operation', async () => {
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.locator('.chart-bar').first().waitFor();
    await shoot('overview');
    await page.locator('a.card').first().click();
    await page.waitForURL(/\/dashboard\/logs\?status=failed/);
    const failedRow = page.locator('table.operations tbody tr').filter({ hasText: 'behaves' });
    await failedRow.first().waitFor();
    expect(await failedRow.count()).toBe(1);
    expect(await failedRow.textContent()).toContain('acme');
    await shoot('logs');
    await failedRow.getByRole('link').first().click();
    await page.locator('.operation-error').waitFor();
    expect(await page.locator('.operation-error').textContent()).toContain('inv_42 not found');
    const lines = await page.locator('.timeline li').allTextContents();
    expect(lines.some((line) => line.includes('the API answered 404'))).toBe(true);
    await shoot('operation');
    // From the operation to its Connection in one click.
    await page.getByRole('link', { name: 'acme', exact: true }).first().click();
    await page.waitForURL(`${base}/dashboard/connections/keyed/acme`);
  });

  it("edits the Connection's metadata: a wrong JSON named next to the field, a right one saved", async () => {
    const metadata = page.getByLabel('Metadata (JSON object)');
    await metadata.waitFor();
    await metadata.fill('{"plan": "pro",}');
    await page.getByRole('button', { name: 'Save metadata' }).click();
    await page.locator('#metadata-error').waitFor();
    expect(await page.locator('#metadata-error').textContent()).toMatch(/line 1, column/i);
    await metadata.fill('{"plan": "pro", "note": "<b>not markup</b>"}');
    await page.getByRole('button', { name: 'Save metadata' }).click();
    await page.getByText('Metadata saved.').waitFor();
    const listed = (await api('/connections?connectionId=acme')) as { connections: Array<{ metadata: unknown }> };
    expect(listed.connections[0]?.metadata).toEqual({ plan: 'pro', note: '<b>not markup</b>' });
    // The Connection's key is on no page.
    expect(await page.content()).not.toContain(API_KEY);
  });

  it('triggers its sync and watches the run finish with the new records', async () => {
    // The first run (auto start) stores the three issues; then two more arrive at the provider.
    await waitFor(
      async () => {
        const status = (await api('/sync/status?provider_config_key=keyed&connection_id=acme&syncs=issues')) as {
          syncs: Array<{ status: string; recordCount?: Record<string, number> }>;
        };
        return status.syncs[0]?.status === 'SUCCESS' && status.syncs[0]?.recordCount?.['Issue'] === 3;
      },
      20_000,
      'the first run',
    );
    await page.reload();
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'issues' }) });
    await row.filter({ hasText: 'Issue: 3' }).waitFor();
    issues.push({ id: 4, title: 'issue 4', updated: 4 }, { id: 5, title: 'issue 5', updated: 5 });
    await page.getByRole('button', { name: 'Trigger issues' }).click();
    await row.filter({ hasText: 'Issue: 5' }).waitFor({ timeout: 20_000 });
    await shoot('connection');
  });

  it('replays the failed webhook once its receiver is back', async () => {
    await waitFor(
      async () => {
        const listed = (await api('/webhooks/deliveries?state=failed')) as { deliveries: unknown[] };
        return listed.deliveries.length > 0;
      },
      20_000,
      'a failed delivery',
    );
    receiverDown = false;
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByLabel('State').selectOption('failed');
    await page.waitForURL(/state=failed/);
    const replay = page.getByRole('button', { name: /^Replay delivery/ }).first();
    await replay.waitFor();
    await shoot('webhooks');
    const received = receiver.requests.length;
    await replay.click();
    await waitFor(async () => receiver.requests.length > received, 10_000, 'the replayed delivery');
    await page.locator('[aria-live=polite] .notice-success').waitFor();
  });

  it('tries an action: its output, then a failure with its operation', async () => {
    await page.goto(`${base}/dashboard/try?integration=keyed&connectionId=acme&action=behaves`);
    const input = page.getByLabel('Input (JSON)');
    await input.fill('{"lines": ["hello from the dashboard"]}');
    await page.getByRole('button', { name: 'Run the action' }).click();
    await page.getByLabel('Output').waitFor();
    expect(await page.getByLabel('Output').textContent()).toBe('"done"');
    await shoot('try-an-action');
    expected.push(/\/action\/trigger$/);
    await input.fill('{"fail": "told to fail"}');
    await page.getByRole('button', { name: 'Run the action' }).click();
    const failure = page.locator('.run-result [role=alert]');
    await failure.waitFor();
    expect(await failure.textContent()).toContain('action_failed');
    // The log is written in batches: the page asks again while the operation is not stored yet (404s at first).
    expected.push(/\/logs\/operations\/[0-9A-Z]+\?/);
    await failure.getByRole('link', { name: 'See its operation' }).click();
    await page.locator('.operation-error').waitFor();
    expect(await page.locator('.operation-error').textContent()).toContain('told to fail');
  });

  it('shows the integrations and an integration with its action and sync', async () => {
    await page.getByRole('link', { name: 'Integrations' }).click();
    await page.getByRole('link', { name: 'keyed', exact: true }).click();
    await page.getByText('issues', { exact: true }).first().waitFor();
    await shoot('integration');
  });

  it('signs out: the session ends and every page asks for sign-in again', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/dashboard\/sign-in/);
    await page.goto(`${base}/dashboard/logs`);
    await page.waitForURL(/\/dashboard\/sign-in\?next=/);
    expect(problems).toEqual([]);
  });
});
