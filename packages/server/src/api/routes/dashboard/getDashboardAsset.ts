import { join } from 'node:path';
import type sendType from '@fastify/send';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../ApiContext';
import { DASHBOARD_HEADERS } from '../../dashboard/pageHeaders';

/** @fastify/send loads with the dashboard's first asset, not at every start of the server. */
const send = () => require('@fastify/send') as typeof sendType;

/** A year: the longest a cache keeps a file; the files' names change with their content. */
const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/**
 * `GET /dashboard/assets/<file>`: the build's script and stylesheet, named by a hash of their content, so cached for
 * a year as immutable (`Cache-Control: public, max-age=31536000, immutable`). Sent by @fastify/send, the engine of
 * @fastify/static (streamed from disk, so a new build is served at once; ETag, Last-Modified, ranges, content types;
 * no path out of the folder, no dotfile): @fastify/static itself loads an ES-module-only dependency that jest cannot
 * require, and its routes cannot be marked public. A file the build does not have is a 404. Needs no key.
 */
export function registerGetDashboardAsset(app: FastifyInstance, context: ApiContext): void {
  const dashboard = context.settings.dashboard;
  if (dashboard === undefined) return;
  const root = join(dashboard.dir, 'assets');
  app.get<{ Params: { '*': string } }>('/dashboard/assets/*', { config: { public: true } }, async (request, reply) => {
    const sent = await send()(request.raw, `/${request.params['*']}`, {
      root,
      maxAge: YEAR_MS,
      immutable: true,
      dotfiles: 'deny',
      index: false,
    });
    if (sent.type !== 'file') {
      sent.stream.destroy();
      return reply.callNotFound();
    }
    return reply.code(sent.statusCode).headers(sent.headers).headers(DASHBOARD_HEADERS).send(sent.stream);
  });
}
