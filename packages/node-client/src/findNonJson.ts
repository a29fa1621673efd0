/**
 * The first place in `value` that JSON would drop, change or refuse, as a path from `root`
 * (`additionalConfig.hooks[2].onDone`) with what is there, or undefined when the value round-trips as it is.
 *
 * JSON.stringify throws only for bigints and cycles; it silently drops a function, symbol or undefined property,
 * turns one in an array into null, writes NaN and Infinity as null, and writes a Map or Set as {}. Each of those
 * would reach the worker as something else than the app sent, so each is reported. A value with its own toJSON
 * (a Date) is taken as the author meant it.
 */
export function findNonJson(value: unknown, root: string): string | undefined {
  return walk(value, root, new Set());
}

function walk(value: unknown, path: string, ancestors: Set<object>): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${path} is ${value}, which JSON would send as null`;
    case 'undefined':
    case 'function':
    case 'symbol':
    case 'bigint':
      return `${path} is ${describe(value)}, which JSON cannot carry`;
  }
  if (value === null) return undefined;
  const object = value as object;
  if (typeof (object as { toJSON?: unknown }).toJSON === 'function') return undefined;
  if (object instanceof Map || object instanceof Set || object instanceof WeakMap || object instanceof WeakSet) {
    return `${path} is a ${object.constructor.name}, which JSON would send as {}`;
  }
  if (ancestors.has(object)) return `${path} refers back to an object that contains it (a cycle)`;
  ancestors.add(object);
  try {
    if (Array.isArray(object)) {
      for (let index = 0; index < object.length; index++) {
        const problem = walk(object[index], `${path}[${index}]`, ancestors);
        if (problem) return problem;
      }
      return undefined;
    }
    for (const key of Object.keys(object)) {
      const problem = walk((object as Record<string, unknown>)[key], `${path}${formatKey(key)}`, ancestors);
      if (problem) return problem;
    }
    return undefined;
  } finally {
    ancestors.delete(object);
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  return `a ${typeof value}`;
}

/** `.name` for identifiers, `["a key"]` otherwise, so the path reads as the JavaScript that reaches it. */
function formatKey(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}
