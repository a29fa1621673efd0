import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { newOperationId } from '../../src/store/operationIds';
import { openStore } from '../../src/store/openStore';
import type { StoredOperation } from '../../src/store/OperationStore';
import type { Store } from '../../src/store/Store';
import { startApi, type ApiHarness } from '../helpers/apiHarness';
import { launchChromium } from '../helpers/chromium';
import { waitFor } from '../helpers/harness';

/** Screenshots of every state the tests reach, to look at after a run. */
const SHOTS = join(tmpdir(), 'nango-dashboard-logs');
const SECRET_KEY = 'dashboard-logs-secret';

/** An operation as the store keeps it, with what a test does not care about filled in. */
function operation(at: number, overrides: Partial<StoredOperation> = {}): StoredOperation {
  return {
    id: newOperationId(at),
    kind: 'action',
    name: 'hello',
    integration: 'example',
    connectionId: 'acme-1',
    endUserId: null,
    status: 'success',
    startedAt: at,
    endedAt: at + 40,
    durationMs: 40,
    error: null,
    fields: {},
    traceId: null,
    parentId: null,
    ...overrides,
  };
}

jest.setTimeout(30_000);

// The page's Content-Security-Policy forbids eval, so waits go through locators, never page.waitForFunction(string).
describe('the dashboard: Overview, Logs and Operation pages in a real browser', () => {
  let api: ApiHarness;
  let store: Store;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const now = Date.now();
  const failed = operation(now - 3_600_000, {
    kind: 'proxy',
    name: 'GET /issues',
    status: 'failed',
    error: { code: 'http_429', message: 'GET /issues: 429 from the provider <b>not markup</b>' },
    fields: { method: 'GET', status: 429 },
  });

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    api = await startApi({ secretKey: SECRET_KEY });
    store = (await openStore({}, { kind: 'sqlite', path: api.dbPath })).store;
    const history: StoredOperation[] = [failed];
    for (let index = 0; index < 120; index++) history.push(operation(now - 60_000 - index * 60_000));
    await store.operations.write({
      operations: history,
      messages: [{ operationId: failed.id, at: failed.startedAt + 5, level: 'warn', text: 'retry 1 of 2 <i>as text</i>' }],
    });
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('response', (response) => {
      if (response.status() === 404) problems.push(`404 for ${response.url()}`);
    });
    page.on('request', (request) => {
      if (!request.url().startsWith(api.url)) problems.push(`request to another host: ${request.url()}`);
    });
    await page.goto(`${api.url}/dashboard/`);
    await page.fill('#secret-key', SECRET_KEY);
    await page.click('button[type=submit]');
    await page.waitForSelector('h1:text("Overview")');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await store?.close();
    await api?.stop();
  });

  it('shows the day as a chart whose bars link to the logs of their hour, and the figures as links', async () => {
    await page.waitForSelector('.chart-bar');
    const labels = await page.$$eval('.chart-bar', (bars) => bars.map((bar) => bar.getAttribute('aria-label') ?? ''));
    expect(labels.some((label) => /1 failed/.test(label))).toBe(true);
    expect(await page.getAttribute('a.card >> nth=0', 'href')).toBe('/dashboard/logs?status=failed%2Ctimed_out&from=24h');
    await page.screenshot({ path: join(SHOTS, 'overview.png'), fullPage: true });
  });

  it('pages the operations, keeps the filters in the URL and checks them before asking', async () => {
    await page.goto(`${api.url}/dashboard/logs`);
    await page.waitForSelector('table.operations tbody tr');
    expect(await page.$$eval('table.operations tbody tr', (rows) => rows.length)).toBe(50);
    await page.click('text=Load older operations');
    await waitFor(async () => (await page.$$eval('table.operations tbody tr', (rows) => rows.length)) === 100, 5000, 'page 2');

    await page.check('input[name=status][value=failed]');
    await page.click('text=Apply filters');
    await page.waitForURL(/status=failed/);
    await waitFor(async () => (await page.$$eval('table.operations tbody tr', (rows) => rows.length)) === 1, 5000, 'the filter');

    let asked = 0;
    page.on('request', (request) => {
      if (request.url().includes('/logs/operations')) asked++;
    });
    await page.fill('#filter-from', '2021-01-01');
    await page.fill('#filter-to', '2020-01-01');
    await page.click('text=Apply filters');
    expect(await page.textContent('#filter-to-error')).toContain("is before 'From'");
    expect(await page.getAttribute('#filter-to', 'aria-describedby')).toContain('filter-to-error');
    expect(asked).toBe(0);

    await page.goto(`${api.url}/dashboard/logs?connectionId=a%00b`);
    expect(await page.textContent('#filter-connectionId-error')).toContain('querystring/connectionId');
  });

  it('shows an operation: its error, its facts and its messages as text', async () => {
    await page.goto(`${api.url}/dashboard/logs/${failed.id}`);
    await page.waitForSelector('.operation-error');
    expect(await page.textContent('.operation-error')).toContain('<b>not markup</b>');
    expect(await page.$('.operation-error b')).toBeNull();
    expect(await page.textContent('.timeline')).toContain('retry 1 of 2 <i>as text</i>');
    expect(await page.getAttribute('a:text("acme-1")', 'href')).toBe('/dashboard/connections/example/acme-1');
    await page.screenshot({ path: join(SHOTS, 'operation.png'), fullPage: true });
  });

  it('tails new operations live, updates them as they end, and announces them', async () => {
    await page.goto(`${api.url}/dashboard/logs?kind=action`);
    await page.waitForSelector('table.operations tbody tr');
    await page.click('text=Live tail');
    await page.locator('.tail-status').filter({ hasText: /^Live/ }).waitFor();
    const started = Date.now();
    const running = operation(started, { name: 'tailed', status: 'running', endedAt: null, durationMs: null });
    await store.operations.write({ operations: [running], messages: [] });
    const firstRow = page.locator('table.operations tbody tr').first();
    await firstRow.filter({ hasText: 'tailed' }).waitFor();
    await store.operations.write({
      operations: [
        {
          ...running,
          status: 'failed',
          endedAt: started + 900,
          durationMs: 900,
          error: { code: 'action_failed', message: 'boom' },
        },
      ],
      messages: [],
    });
    await firstRow.filter({ hasText: 'action_failed' }).waitFor();
    await page.locator('[aria-live=polite]').filter({ hasText: '1 ended: 1 failed' }).first().waitFor();
    await page.click('text=Stop live tail');
    expect(await page.textContent('.tail-status')).toBe('');
    expect(problems.filter((problem) => !problem.includes('400'))).toEqual([]);
  });
});
