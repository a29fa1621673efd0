import type { FastifyInstance } from 'fastify';

/**
 * The official `@nangohq/node` 0.71 sends `Content-Type: application/json` without a body on several GETs and on
 * DELETEs (deleteConnection, contract C.3). Fastify's JSON parser refuses an empty JSON body (400); this one reads it
 * as no body and leaves everything else to Fastify's own parser (prototype-poisoning checks included).
 */
export function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body.length === 0) {
      done(null, undefined);
      return;
    }
    parseJson(request, body.toString(), done);
  });
}
