import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ApiContext } from '../../ApiContext';
import { DASHBOARD_HEADERS } from '../../dashboard/pageHeaders';

/** What /dashboard answers when packages/dashboard has not been built into the server. */
export const NOT_BUILT =
  'The dashboard is not built: run `npm run build` at the root of the repository (it builds packages/dashboard into packages/server/dist/dashboard), then reload this page.\n';

/**
 * `GET /dashboard`, `/dashboard/` and every other `/dashboard/<page path>`: the dashboard's index.html, whose script
 * routes in the browser (a link to any page works). Read per request, not once: `npm run build` may replace the
 * build under a running server, and index.html names the hashed files of the build it belongs to (a few hundred
 * bytes). `Cache-Control: no-cache` (the browser revalidates it, so a new build shows at once), the strict CSP of
 * pageHeaders.ts. Not built: 503 saying to run `npm run build`. Needs no key: the page signs in by itself. Reads no
 * input (ownInputChecks): a page address with a bad filter, a NUL say, still loads the page, which names the
 * problem next to its field when the API refuses it.
 */
export function registerGetDashboardPage(app: FastifyInstance, context: ApiContext): void {
  const dashboard = context.settings.dashboard;
  if (dashboard === undefined) return;
  const index = join(dashboard.dir, 'index.html');
  if (!existsSync(index)) context.logger.warn('the dashboard is not built: /dashboard answers 503 (run npm run build)');
  const page = async (_request: unknown, reply: FastifyReply) => {
    const html = await readFile(index).catch(() => undefined);
    reply.headers(DASHBOARD_HEADERS).header('cache-control', 'no-cache');
    if (html === undefined) return reply.code(503).type('text/plain; charset=utf-8').send(NOT_BUILT);
    return reply.type('text/html; charset=utf-8').send(html);
  };
  const config = { public: true, ownInputChecks: true };
  app.get('/dashboard', { config }, page);
  app.get('/dashboard/*', { config }, page);
}
