import Fastify, { type FastifyInstance } from 'fastify';
import { lazyRouteSchemas } from '../../src/api/lazyRouteSchemas';
import { startApi } from '../helpers/apiHarness';

const AJV = { customOptions: { coerceTypes: true, removeAdditional: false, allErrors: true } };
const ROUTE_SCHEMA = {
  querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1 } }, additionalProperties: false },
  body: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } },
};

/** A server with one route, its schemas compiled on first request (lazy) or by Fastify at start. */
async function server(lazy: boolean): Promise<FastifyInstance & { compileAll?: () => number }> {
  const schemas = lazyRouteSchemas();
  const app = Fastify(lazy ? { ajv: AJV, schemaController: schemas.schemaController } : { ajv: AJV });
  app.post('/things', { schema: ROUTE_SCHEMA }, async (request) => ({ query: request.query, body: request.body }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  return Object.assign(app, lazy ? { compileAll: schemas.compileAll } : {});
}

/** A POST to the server (over a socket: light-my-request's inject does not load under jest here). */
async function post(app: FastifyInstance, path: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const { port } = app.server.address() as { port: number };
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

describe('route schemas compiled on first request', () => {
  const requests = [
    { query: 'limit=5', body: { name: 'a' } }, // coerced: limit arrives as a string
    { query: 'limit=0', body: { name: 'a' } },
    { query: 'limit=x&other=1', body: {} },
    { query: '', body: { name: '' } },
  ];

  it('answer every request exactly as schemas compiled at start do', async () => {
    const [lazy, eager] = [await server(true), await server(false)];
    try {
      for (const { query, body } of requests) {
        expect(await post(lazy, `/things?${query}`, body)).toEqual(await post(eager, `/things?${query}`, body));
      }
      expect(await post(lazy, '/things?limit=5', { name: 'a' })).toEqual({
        status: 200,
        body: { query: { limit: 5 }, body: { name: 'a' } },
      });
      expect((await post(lazy, '/things?limit=0', {})).status).toBe(400);
    } finally {
      await lazy.close();
      await eager.close();
    }
  });

  it('a bad schema starts, and fails compileAll (the test that compiles them all)', async () => {
    const schemas = lazyRouteSchemas();
    const app = Fastify({ ajv: AJV, schemaController: schemas.schemaController });
    app.post('/bad', { schema: { body: { type: 'nonsense' } } }, async () => 'ok');
    await app.ready();
    try {
      expect(() => schemas.compileAll()).toThrow(/nonsense|type/);
    } finally {
      await app.close();
    }
  });

  it('a headers schema naming a header in upper case is refused when its route is added', async () => {
    const app = Fastify({ ajv: AJV, schemaController: lazyRouteSchemas().schemaController });
    app.get('/h', { schema: { headers: { type: 'object', required: ['Connection-Id'] } } }, async () => 'ok');
    try {
      await expect(app.ready()).rejects.toThrow(
        /GET \/h: the headers schema names Connection-Id: write header names in lower case/,
      );
    } finally {
      await app.close();
    }
  });

  it("every route schema of the server's API compiles", async () => {
    const api = await startApi();
    try {
      expect(api.worker.compileRouteSchemas()).toBeGreaterThan(50);
    } finally {
      await api.stop();
    }
  });
});
