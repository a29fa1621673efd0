import { inDbSpan, type DbSystem } from './inDbSpan';

/**
 * `store` with a database span (see inDbSpan) around every call of the methods named, `<method> <table>`: the store
 * calls on the hot path of an action (the Connection lookup, the idempotency claim and outcome) show in its trace.
 * Every other member is the store's own, its methods bound to it once, so the store needs no change and no test
 * double breaks. Methods named must return promises.
 */
export function withStoreSpans<S extends object>(
  store: S,
  system: DbSystem,
  table: string,
  methods: readonly (keyof S & string)[],
): S {
  const members = new Map<PropertyKey, unknown>();
  for (const name of methods) {
    const method = store[name] as (...args: unknown[]) => Promise<unknown>;
    members.set(name, (...args: unknown[]) => inDbSpan(system, name, table, () => method.apply(store, args)));
  }
  return new Proxy(store, {
    get(target, key) {
      const known = members.get(key);
      if (known !== undefined) return known;
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      const bound = (value as (...args: unknown[]) => unknown).bind(target);
      members.set(key, bound);
      return bound;
    },
  });
}
