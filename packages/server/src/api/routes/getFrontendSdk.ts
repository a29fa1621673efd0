import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../ApiContext';

/** The built @nangohq/frontend module, read once at start; undefined when the package has not been built. */
function readFrontend(): string | undefined {
  try {
    return readFileSync(join(dirname(require.resolve('@nangohq/frontend/package.json')), 'dist', 'index.js'), 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * `GET /sdk/frontend.js`: our @nangohq/frontend as an ES module, so a page can
 * `import Nango from 'http://localhost:3003/sdk/frontend.js'` from the server itself. CORS-open, like any script
 * meant for other origins. Needs no secret key.
 */
export function registerGetFrontendSdk(app: FastifyInstance, context: ApiContext): void {
  const source = readFrontend();
  if (source === undefined)
    context.logger.warn('packages/frontend is not built: /sdk/frontend.js answers 404 (run npm run build)');
  app.get('/sdk/frontend.js', { config: { public: true } }, async (_request, reply) => {
    if (source === undefined)
      return reply.code(404).send({ error: { code: 'route_not_found', message: 'The frontend SDK is not built' } });
    return reply
      .header('content-type', 'text/javascript; charset=utf-8')
      .header('access-control-allow-origin', '*')
      .header('cache-control', 'no-cache')
      .send(source);
  });
}
