import { ATTR_DB_COLLECTION_NAME, ATTR_DB_OPERATION_NAME, ATTR_DB_SYSTEM_NAME } from './semanticConventions';
import { inSpan } from './inSpan';
import { otelApi } from './otelApi';
import { activeTracer } from './tracer';

/** The database behind a store, as the semantic conventions name it (`db.system.name`). */
export type DbSystem = 'sqlite' | 'postgresql';

/**
 * Runs one store call inside a database client span named `<operation> <collection>` (`db.system.name`,
 * `db.operation.name`, `db.collection.name`). No query text and no value is recorded: values are user ids, keys
 * and credentials.
 */
export function inDbSpan<T>(system: DbSystem, operation: string, collection: string, call: () => Promise<T>): Promise<T> {
  if (activeTracer() === undefined) return call(); // no attributes to build for a span not made
  const { SpanKind } = otelApi();
  const attributes = {
    [ATTR_DB_SYSTEM_NAME]: system,
    [ATTR_DB_OPERATION_NAME]: operation,
    [ATTR_DB_COLLECTION_NAME]: collection,
  };
  return inSpan(`${operation} ${collection}`, { kind: SpanKind.CLIENT, attributes }, call);
}
