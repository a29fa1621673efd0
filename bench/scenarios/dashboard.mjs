// The dashboard in a real browser: each page's time from navigation to interactive with 10,000 Connections and
// 100,000 operations stored (the same in --quick: the budget is stated at that size), against the budget of one
// second. "Interactive" is measured in the page, generically: the latest of the document's DOMContentLoaded, the end
// of the last API reply the page asked for, and the last change to the DOM that followed, once the page has been
// quiet (no request in flight, no DOM change) for QUIET_MS. A page load is a full navigation (the script comes from
// the browser's cache after the first, as it does for a user), so the figure includes parsing and the first render.
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import server from '@nangohq/server';
import { benchStore } from '../lib/benchStore.mjs';
import { deleteQueues, ROOT, startWorker } from '../lib/processes.mjs';
import { quantile } from '../lib/stats.mjs';
import { batchOf, prng } from './logsSearch.mjs';

const require = createRequire(import.meta.url);
const CONNECTIONS = 10_000;
const OPERATIONS = 100_000;
const BUDGET_MS = 1000;
const QUIET_MS = 300;
const SECRET_KEY = 'bench-dashboard-secret';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Runs in the page before its own script: when the DOM last changed, in the page's clock. */
const WATCH_DOM = `
  window.__lastMutation = 0;
  new MutationObserver(() => { window.__lastMutation = performance.now(); })
    .observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
`;

export async function dashboardScenario({ quick, log, store: kind }) {
  const { chromium } = require('playwright-core');
  const samples = quick ? 3 : 10;
  const store = await benchStore(kind);
  const queue = `bench.dashboard.${process.pid}`;
  let worker;
  let browser;
  try {
    log(
      `dashboard: storing ${CONNECTIONS.toLocaleString('en')} Connections and ${OPERATIONS.toLocaleString('en')} operations (${kind})`,
    );
    await store.seed(CONNECTIONS);
    const seeded = await store.open();
    try {
      const random = prng(7);
      const now = Date.now();
      for (let from = 0; from < OPERATIONS; from += 20_000) {
        const batch = batchOf(from, Math.min(20_000, OPERATIONS - from), OPERATIONS, now, random, []);
        // A share of them on the Connections the pages open, so those pages show real operations.
        for (const [index, operation] of batch.operations.entries()) {
          if (index % 50 === 0) {
            operation.integration = 'bench';
            operation.connectionId = `user-${index % 100}`;
          }
        }
        await seeded.operations.write(batch);
      }
      // The newest operations, failed ones first, as the overview's last day holds them.
      if (kind === 'postgres') await seeded.pg.query('VACUUM ANALYZE operations');
    } finally {
      await seeded.close();
    }

    const port = await freePort();
    worker = await startWorker({
      ...store.env,
      NANGO_QUEUE: queue,
      NANGO_PORT: String(port),
      NANGO_SECRET_KEY: SECRET_KEY,
      NANGO_INTEGRATIONS_YAML: join(ROOT, 'bench', 'integrations.yaml'),
      NANGO_INTEGRATIONS_DIR: join(ROOT, 'bench', 'integrations'),
    });
    const base = `http://127.0.0.1:${port}`;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const context = await browser.newContext();
    await context.addInitScript(WATCH_DOM);
    const page = await context.newPage();
    const errors = [];
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    page.on('pageerror', (error) => errors.push(String(error)));

    // Sign in as an operator does; the session cookie then authenticates every page.
    const signIn = await page.request.post(`${base}/dashboard/session`, { data: { secretKey: SECRET_KEY } });
    if (!signIn.ok()) throw new Error(`sign-in answered ${signIn.status()}: ${await signIn.text()}`);

    const listed = await (await page.request.get(`${base}/logs/operations?limit=1&status=failed`)).json();
    const operationId = listed.operations[0]?.id;
    const pages = {
      overview: '/dashboard/',
      integrations: '/dashboard/integrations',
      integration: '/dashboard/integrations/bench',
      connections: '/dashboard/connections',
      'connections, searched': '/dashboard/connections?search=user-99',
      connection: '/dashboard/connections/bench/user-1',
      logs: '/dashboard/logs',
      'logs, failed': '/dashboard/logs?status=failed',
      operation: `/dashboard/logs/${operationId}`,
      webhooks: '/dashboard/webhooks',
      'try an action': '/dashboard/try?integration=bench&connectionId=user-1&action=noop',
    };
    const results = {};
    await page.goto(`${base}/dashboard/`); // the script and stylesheet into the cache, as after a user's first visit
    for (const [name, path] of Object.entries(pages)) {
      const times = [];
      for (let i = 0; i < samples + 1; i += 1) {
        const ms = await timeToInteractive(page, `${base}${path}`);
        if (i > 0) times.push(ms); // the first load of each page warms the server's caches
      }
      results[name] = { path, p50: quantile(times, 0.5), max: Math.max(...times), samples };
      log(`dashboard: ${name}: p50 ${results[name].p50.toFixed(0)} ms, max ${results[name].max.toFixed(0)} ms`);
    }
    return {
      store: kind,
      connections: CONNECTIONS,
      operations: OPERATIONS,
      budgetMs: BUDGET_MS,
      pages: results,
      consoleErrors: errors,
    };
  } finally {
    await browser?.close();
    await worker?.stop();
    await deleteQueues(server.workerQueueNames(queue));
    await store.dispose();
  }
}

/** One full navigation to `url`, timed to interactive as the header says. */
async function timeToInteractive(page, url) {
  let inFlight = 0;
  let lastActivity = Date.now();
  const started = (request) => {
    if (request.url().includes('/logs/tail')) return; // a stream that stays open while the page is up
    inFlight += 1;
    lastActivity = Date.now();
  };
  const ended = (request) => {
    if (request.url().includes('/logs/tail')) return;
    inFlight -= 1;
    lastActivity = Date.now();
  };
  page.on('request', started);
  page.on('requestfinished', ended);
  page.on('requestfailed', ended);
  try {
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const lastMutation = await page.evaluate(() => performance.timeOrigin + globalThis.__lastMutation);
      const quietSince = Math.max(lastActivity, lastMutation);
      if (inFlight === 0 && Date.now() - quietSince >= QUIET_MS) break;
    }
    return await page.evaluate(() => {
      const navigation = performance.getEntriesByType('navigation')[0];
      const replies = performance
        .getEntriesByType('resource')
        .filter(
          (entry) =>
            (entry.initiatorType === 'fetch' || entry.initiatorType === 'xmlhttprequest') && !entry.name.includes('/logs/tail'),
        )
        .map((entry) => entry.responseEnd);
      return Math.max(navigation.domContentLoadedEventEnd, globalThis.__lastMutation, ...replies);
    });
  } finally {
    page.off('request', started);
    page.off('requestfinished', ended);
    page.off('requestfailed', ended);
  }
}

/** A port nothing listens on right now, for the worker's HTTP API. */
function freePort() {
  return new Promise((resolve, reject) => {
    const listener = createServer();
    listener.once('error', reject);
    listener.listen(0, '127.0.0.1', () => {
      const { port } = listener.address();
      listener.close(() => resolve(port));
    });
  });
}
