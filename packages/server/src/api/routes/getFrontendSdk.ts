import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../ApiContext';

/** The built @nangohq/frontend modules by file name (index.js and the modules it imports), read once at start. */
function readFrontend(): ReadonlyMap<string, string> {
  const files = new Map<string, string>();
  try {
    const dist = join(dirname(require.resolve('@nangohq/frontend/package.json')), 'dist');
    for (const name of readdirSync(dist)) if (MODULE.test(name)) files.set(name, readFileSync(join(dist, name), 'utf8'));
  } catch {
    // not built: every route answers 404
  }
  return files;
}

/** A module file name of the package's dist folder: no path, no other extension. */
const MODULE = /^[A-Za-z][A-Za-z0-9]*\.js$/;

/**
 * `GET /sdk/frontend.js`: our @nangohq/frontend as an ES module, so a page can
 * `import Nango from 'http://localhost:3003/sdk/frontend.js'` from the server itself; the modules it imports are
 * beside it (`/sdk/connectionFields.js`, …). CORS-open, like any script meant for other origins. Needs no secret key.
 */
export function registerGetFrontendSdk(app: FastifyInstance, context: ApiContext): void {
  const files = readFrontend();
  if (!files.has('index.js'))
    context.logger.warn('packages/frontend is not built: /sdk/frontend.js answers 404 (run npm run build)');
  app.get<{ Params: { file: string } }>('/sdk/:file', { config: { public: true } }, async (request, reply) => {
    const name = request.params.file === 'frontend.js' ? 'index.js' : request.params.file;
    const source = name === 'index.js' || MODULE.test(name) ? files.get(name) : undefined;
    if (source === undefined)
      return reply.code(404).send({
        error: { code: 'route_not_found', message: `No module ${request.params.file} of the frontend SDK (is it built?)` },
      });
    return reply
      .header('content-type', 'text/javascript; charset=utf-8')
      .header('access-control-allow-origin', '*')
      .header('cache-control', 'no-cache')
      .send(source);
  });
}
