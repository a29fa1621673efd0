import type { NangoConnectionPublic } from '@nangohq/protocol';

/**
 * A Connection's config (its `additionalConfig`, which the HTTP API calls metadata) is JSON the app chose, and can
 * be large. Most requests never look at it (a proxy call, a token, an action that does not read it), so the store
 * hands it over as the JSON text it keeps, parsed the first time something reads it, and a reply that carries it
 * whole splices that text in without parsing it or encoding it again. Parsing a few hundred KB on every read, and
 * encoding it into every reply, made every request pay for its size.
 */

/** The stored JSON of configs nothing has read yet, by the Connection object they belong to. */
const unread = new WeakMap<object, string>();

/**
 * `fields` with an `additionalConfig` made from `json` when first read. The property is an own, enumerable
 * accessor, so a spread, `JSON.stringify` or `structuredClone` of the Connection still carries the config (they
 * read it, and so parse it: keep them off hot paths, see copyConnection and connectionJson). Assigning it replaces
 * the value. The object is changed and returned.
 */
export function withStoredConfig<T extends object>(fields: T, json: string): T & { additionalConfig: Record<string, unknown> } {
  let text: string | undefined = json;
  let value: Record<string, unknown> | undefined;
  const connection = Object.defineProperty(fields, 'additionalConfig', {
    enumerable: true,
    configurable: true,
    get(): Record<string, unknown> {
      if (text !== undefined) {
        value = JSON.parse(text) as Record<string, unknown>;
        // Whoever reads it may change it: from now on the text would be stale.
        text = undefined;
        unread.delete(connection);
      }
      return value as Record<string, unknown>;
    },
    set(next: Record<string, unknown>) {
      value = next;
      text = undefined;
      unread.delete(connection);
    },
  }) as T & { additionalConfig: Record<string, unknown> };
  unread.set(connection, json);
  return connection;
}

/** The JSON of a Connection's config: as stored if nothing has read it (no parse), else its current value's. */
export function configJsonOf(connection: Pick<NangoConnectionPublic, 'additionalConfig'>): string {
  return unread.get(connection) ?? JSON.stringify(connection.additionalConfig);
}

/** A copy of `connection` with `fields` replaced (not the config), whose config is still unread if it was. */
export function copyConnection<T extends Pick<NangoConnectionPublic, 'additionalConfig'>>(
  connection: T,
  fields: Partial<Omit<T, 'additionalConfig'>>,
): T {
  const copy = ownFieldsBut(connection, 'additionalConfig');
  Object.assign(copy, fields);
  const json = unread.get(connection);
  if (json !== undefined) return withStoredConfig(copy, json) as unknown as T;
  copy['additionalConfig'] = connection.additionalConfig;
  return copy as T;
}

/**
 * The JSON of `value` with its config under `configKeys` (each of them, the same text), spliced in as stored when
 * nothing has read it. `value` must not hold those keys itself; keys of `value` whose value is undefined are left
 * out, as JSON.stringify does.
 */
export function jsonWithConfig(
  value: Record<string, unknown>,
  connection: Pick<NangoConnectionPublic, 'additionalConfig'>,
  configKeys: readonly string[],
): string {
  const rest = JSON.stringify(value);
  if (configKeys.length === 0) return rest;
  const json = configJsonOf(connection);
  const spliced = configKeys.map((key) => `${JSON.stringify(key)}:${json}`).join(',');
  return rest === '{}' ? `{${spliced}}` : `${rest.slice(0, -1)},${spliced}}`;
}

/** The JSON of a whole Connection (an RPC reply's), its config spliced in as stored when nothing has read it. */
export function connectionJson(connection: NangoConnectionPublic): string {
  return jsonWithConfig(ownFieldsBut(connection, 'additionalConfig'), connection, ['additionalConfig']);
}

/** A Connection's fields but its config, read without touching the config. */
export function withoutConfig<T extends Pick<NangoConnectionPublic, 'additionalConfig'>>(
  connection: T,
): Omit<T, 'additionalConfig'> {
  return ownFieldsBut(connection, 'additionalConfig') as Omit<T, 'additionalConfig'>;
}

/** The own enumerable fields of `value` but `skipped`, read without touching `skipped` (an accessor would parse). */
function ownFieldsBut(value: object, skipped: string): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(value)) if (key !== skipped) fields[key] = (value as Record<string, unknown>)[key];
  return fields;
}
