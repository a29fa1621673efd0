/** Longest path a proxy operation keeps (its name and `path` field). */
const MAX_PATH = 512;

/**
 * A proxy call's path for its operation: the endpoint as the caller wrote it, its query parameters reduced to their
 * names (`/issues?state&page`), since values may hold keys or personal data; cut at MAX_PATH characters.
 */
export function pathWithoutQueryValues(endpoint: string): string {
  const at = endpoint.indexOf('?');
  const path = at === -1 ? endpoint : endpoint.slice(0, at);
  const names: string[] = [];
  if (at !== -1) {
    for (const pair of endpoint.slice(at + 1).split('&')) {
      const name = pair.split('=', 1)[0] ?? '';
      if (name !== '' && !names.includes(name)) names.push(name);
    }
  }
  const text = names.length === 0 ? path : `${path}?${names.join('&')}`;
  return text.length <= MAX_PATH ? text : text.slice(0, MAX_PATH);
}
