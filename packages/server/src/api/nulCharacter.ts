import type { FastifyInstance } from 'fastify';
import { NUL_REFUSAL, nulPath } from '../nulPath';
import type { ApiErrorBody } from './ApiError';

/**
 * Refuses U+0000 anywhere in a request's path parameters, query or JSON body with a 400 `invalid_request` naming the
 * place, before the route's schema and handler see it: PostgreSQL cannot store it in text (SQLite can), so a NUL in
 * an id or a filter failed there with a 503 `storage_error`, or a 500. Refused at the door, both stores behave alike.
 * Headers cannot carry one (Node's parser answers 400 itself). Routes that read their own input opt out with
 * `config.ownInputChecks`: the OAuth flow pages, which must answer in the frontends' callback protocol, and the proxy,
 * which forwards its path and query upstream without storing them.
 */
export function refuseNulCharacters(app: FastifyInstance): void {
  app.addHook('preValidation', async (request, reply) => {
    if (request.routeOptions.config.ownInputChecks === true) return;
    const where = nulPath(request.params, 'params') ?? nulPath(request.query, 'querystring') ?? nulPath(request.body, 'body');
    if (where === undefined) return;
    const body: ApiErrorBody = { error: { code: 'invalid_request', message: `${where} ${NUL_REFUSAL}` } };
    return reply.code(400).send(body);
  });
}
