import type { ValidatorFactory } from '@fastify/ajv-compiler';
import type { SerializerFactory } from '@fastify/fast-json-stringify-compiler';
import type { FastifySchemaControllerOptions, FastifyValidationResult } from 'fastify/types/schema';

/** A route schema's compiler, made on first use; `compileAll` makes every one now. */
export interface LazyRouteSchemas {
  readonly schemaController: FastifySchemaControllerOptions;
  /**
   * Compiles every route schema not compiled yet, as Fastify would have at start, and returns how many there are in
   * all: tests call it so that a bad schema fails a test rather than the first request of its route.
   * @throws the compiler's error for a bad schema
   */
  compileAll(): number;
}

/**
 * Route schemas compiled on the first request of their route instead of at start: Fastify compiles all of them when
 * it starts (~100 routes, ajv's code generation, a large part of a start's CPU), though most routes of a given
 * server are never called. The compiler is the one Fastify uses by default (@fastify/ajv-compiler), with the same
 * options and shared schemas, loaded on first use too; a route's first request pays its compile (a few ms).
 */
export function lazyRouteSchemas(): LazyRouteSchemas {
  const compilers: Array<() => unknown> = [];
  const buildValidator: ValidatorFactory = (externalSchemas, options) => {
    let compileRoute: ReturnType<ValidatorFactory> | undefined;
    return (route) => {
      if (route.httpPart === 'headers') refuseUpperCaseHeaders(route.schema, `${route.method} ${route.url}`);
      let compiled: FastifyValidationResult | undefined;
      const compile = (): FastifyValidationResult => {
        if (compiled) return compiled;
        const { AjvCompiler } = require('@fastify/ajv-compiler') as typeof import('@fastify/ajv-compiler');
        compileRoute ??= AjvCompiler()(externalSchemas, options);
        return (compiled = compileRoute(route) as unknown as FastifyValidationResult);
      };
      compilers.push(compile);
      // What Fastify reads of a validator: its result, its `errors` after a refusal, and `schemaEnv`, set on ajv's
      // validators, which tells Fastify to pass the request as the value's parent (so coercion can change it).
      const validate = Object.assign(
        (data: unknown, parent?: unknown) => {
          const real = compile() as FastifyValidationResult & { schemaEnv?: unknown };
          const result = real.schemaEnv ? (real as (data: unknown, parent: unknown) => unknown)(data, parent) : real(data);
          validate.errors = real.errors ?? null;
          return result;
        },
        { schemaEnv: true, errors: null as FastifyValidationResult['errors'] },
      );
      // Typed as ajv's own validators (schema, schemaEnv): Fastify reads no more of them than the above.
      return validate as unknown as ReturnType<ReturnType<ValidatorFactory>>;
    };
  };
  // Fastify loads its serializer compiler (fast-json-stringify and its own ajv) for routes with response schemas only.
  const buildSerializer: SerializerFactory = (externalSchemas, options) => {
    const { SerializerSelector } =
      require('@fastify/fast-json-stringify-compiler') as typeof import('@fastify/fast-json-stringify-compiler');
    return SerializerSelector()(externalSchemas, options);
  };
  return {
    schemaController: { compilersFactory: { buildValidator, buildSerializer } },
    compileAll: () => {
      for (const compile of compilers) compile();
      return compilers.length;
    },
  };
}

/**
 * Fastify lowercases a headers schema's property names (headers arrive lowercased) for its own compiler only, not for
 * a compiler given to it like this one: a name in upper case would never match. Refused when the route is added.
 * @throws Error naming the route and the header
 */
function refuseUpperCaseHeaders(schema: unknown, route: string): void {
  const { properties = {}, required = [] } = schema as { properties?: object; required?: unknown[] };
  for (const name of [...Object.keys(properties), ...required.map(String)]) {
    if (name !== name.toLowerCase())
      throw new Error(`${route}: the headers schema names ${name}: write header names in lower case`);
  }
}
