/** What every refusal of a NUL says after the place it names. */
export const NUL_REFUSAL = 'must not contain the NUL character (\\u0000)';

/**
 * Where `value` holds U+0000, in a string or an object key, as a path under `root` (`body/metadata/a/0`; a key is
 * reported at its object's path), or undefined when it holds none. Walked without recursion: a body may nest deep.
 */
export function nulPath(value: unknown, root: string, separator = '/'): string | undefined {
  const stack: Array<[unknown, string]> = [[value, root]];
  while (stack.length > 0) {
    const [item, path] = stack.pop()!;
    if (typeof item === 'string') {
      if (item.includes('\u0000')) return path;
      continue;
    }
    if (typeof item !== 'object' || item === null) continue;
    const join = (key: string) => (path === '' ? key : `${path}${separator}${key}`);
    for (const [key, child] of Object.entries(item)) {
      if (key.includes('\u0000')) return path;
      stack.push([child, join(key)]);
    }
  }
  return undefined;
}
