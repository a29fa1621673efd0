/**
 * The catalog's `post_connection`: requests made once a Connection's credentials are got, whose answers fill its
 * config (what Nango does with a post-connection script, written as data). One step, or a list run in order, each
 * seeing what the earlier ones stored:
 *
 *   post_connection:
 *     - method: GET                                        # default GET
 *       base_url: https://api.atlassian.com                # default: the integration's base URL (proxy.base_url)
 *       endpoint: /oauth/token/accessible-resources        # a path under it (catalog placeholders allowed)
 *       headers: { accept: application/json }              # optional; the auth mode's credentials are added as for any call
 *       data: { … }                                        # optional JSON body
 *       store:                                             # config key: where its value is in the JSON answer
 *         cloudId: '[0].id'
 *         myDomain: { path: urls.custom_domain, pattern: '^https://([a-z0-9-]+)\.my\.salesforce\.com' }
 *
 * A step without `endpoint` makes no request: its paths read the Connection's config as it stands (e.g. a value the
 * token response gave, through token_response_metadata). A path is keys and indexes, `accounts[0].id`, with
 * `[key=value]` for the first element whose `key` is `value` (`accounts[product=bc3].id`). A `pattern` keeps its
 * first capture group (the whole match without one); a value must be text, a number or a boolean.
 */
export interface PostConnectionStep {
  readonly method: string;
  readonly baseUrl: string | undefined;
  /** Undefined: no request, the paths read the config. */
  readonly endpoint: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly data: unknown;
  readonly store: readonly StoredValue[];
}

/** One value a step stores. */
export interface StoredValue {
  /** The config key it is stored under. */
  readonly key: string;
  /** The path as written, for messages. */
  readonly path: string;
  readonly segments: readonly PathSegment[];
  readonly pattern: RegExp | undefined;
}

/** One step of a path into a JSON answer. */
export type PathSegment =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'match'; readonly key: string; readonly value: string };

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH']);
const CONFIG_KEY = /^[A-Za-z0-9_.-]{1,64}$/;
const STEP_FIELDS = new Set(['method', 'base_url', 'endpoint', 'headers', 'data', 'store']);
const MAX_STEPS = 5;

const cache = new WeakMap<object, readonly PostConnectionStep[]>();

/**
 * The steps of a catalog entry's `post_connection`, or every problem with it (each with its path under the entry,
 * e.g. `post_connection[0].store.cloudId: …`). Parsed once per entry.
 */
export function parsePostConnection(value: unknown): { steps: readonly PostConnectionStep[]; problems: string[] } {
  if (value === undefined || value === null) return { steps: [], problems: [] };
  if (typeof value === 'object' && cache.has(value)) return { steps: cache.get(value) ?? [], problems: [] };
  const problems: string[] = [];
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  const where = (index: number): string => (Array.isArray(value) ? `post_connection[${index}]` : 'post_connection');
  if (list.length > MAX_STEPS) problems.push(`post_connection: at most ${MAX_STEPS} steps`);
  const steps = list.map((item, index) => parseStep(item, where(index), problems));
  if (problems.length > 0) return { steps: [], problems };
  const frozen = Object.freeze(steps.filter((step): step is PostConnectionStep => step !== undefined));
  if (typeof value === 'object') cache.set(value, frozen);
  return { steps: frozen, problems };
}

function parseStep(item: unknown, at: string, problems: string[]): PostConnectionStep | undefined {
  if (!isMapping(item)) {
    problems.push(`${at}: must be a mapping with store (and endpoint, for a request)`);
    return undefined;
  }
  for (const key of Object.keys(item)) {
    if (!STEP_FIELDS.has(key)) problems.push(`${at}.${key}: unknown field; a step has ${[...STEP_FIELDS].join(', ')}`);
  }
  const method = item['method'] === undefined ? 'GET' : String(item['method']).toUpperCase();
  if (!METHODS.has(method)) problems.push(`${at}.method: must be one of ${[...METHODS].join(', ')}`);
  const text = (key: string): string | undefined => {
    const field = item[key];
    if (field === undefined || field === null) return undefined;
    if (typeof field !== 'string' || field === '') problems.push(`${at}.${key}: must be non-empty text`);
    return typeof field === 'string' ? field : undefined;
  };
  const endpoint = text('endpoint');
  const baseUrl = text('base_url');
  if (endpoint === undefined && (baseUrl !== undefined || item['headers'] !== undefined || item['data'] !== undefined)) {
    problems.push(`${at}: base_url, headers and data go with an endpoint (a step without one reads the config)`);
  }
  const headers: Record<string, string> = {};
  if (item['headers'] !== undefined && item['headers'] !== null) {
    if (!isMapping(item['headers'])) problems.push(`${at}.headers: must be a mapping of header names to text`);
    else
      for (const [name, header] of Object.entries(item['headers'])) {
        if (typeof header === 'string') headers[name] = header;
        else problems.push(`${at}.headers.${name}: must be text`);
      }
  }
  const store = parseStore(item['store'], `${at}.store`, problems);
  return { method, baseUrl, endpoint, headers, data: item['data'], store };
}

function parseStore(value: unknown, at: string, problems: string[]): StoredValue[] {
  if (!isMapping(value) || Object.keys(value).length === 0) {
    problems.push(`${at}: must map at least one config key to a path in the answer`);
    return [];
  }
  const stored: StoredValue[] = [];
  for (const [key, spec] of Object.entries(value)) {
    if (!CONFIG_KEY.test(key)) problems.push(`${at}.${key}: a config key is 1-64 letters, digits, '.', '-' or '_'`);
    const path = typeof spec === 'string' ? spec : isMapping(spec) && typeof spec['path'] === 'string' ? spec['path'] : undefined;
    if (path === undefined) {
      problems.push(`${at}.${key}: must be a path, or { path, pattern? }`);
      continue;
    }
    const segments = parseAnswerPath(path);
    if (typeof segments === 'string') problems.push(`${at}.${key}: ${segments}`);
    let pattern: RegExp | undefined;
    const written = isMapping(spec) ? spec['pattern'] : undefined;
    if (written !== undefined) {
      try {
        pattern = new RegExp(String(written));
      } catch {
        problems.push(`${at}.${key}.pattern: is not a valid JavaScript regular expression`);
      }
    }
    if (typeof segments !== 'string') stored.push({ key, path, segments, pattern });
  }
  return stored;
}

const TOKEN = /\.?([A-Za-z0-9_$@:-]+)|\[(\d{1,6})\]|\[([A-Za-z0-9_$@:-]+)=([^\]]*)\]/y;

/**
 * A path into a JSON answer: `[0].id`, `accounts[product=bc3].id`, `urls.custom_domain`.
 * @returns its segments, or what is wrong with it
 */
export function parseAnswerPath(path: string): PathSegment[] | string {
  const segments: PathSegment[] = [];
  let at = 0;
  while (at < path.length) {
    TOKEN.lastIndex = at;
    const match = TOKEN.exec(path);
    if (!match || (match[1] !== undefined && path[at] === '.' && at === 0)) {
      return `the path ${JSON.stringify(path)} is not keys and [n] or [key=value] indexes (at character ${at + 1})`;
    }
    if (match[1] !== undefined) {
      if (at > 0 && path[at] !== '.') return `the path ${JSON.stringify(path)} needs a '.' before ${match[1]}`;
      segments.push({ kind: 'key', key: match[1] });
    } else if (match[2] !== undefined) segments.push({ kind: 'index', index: Number(match[2]) });
    else segments.push({ kind: 'match', key: match[3] ?? '', value: match[4] ?? '' });
    at = TOKEN.lastIndex;
  }
  return segments.length > 0 ? segments : 'the path is empty';
}

/** The value at `segments` in `answer`; undefined when the answer has nothing there. */
export function valueAt(answer: unknown, segments: readonly PathSegment[]): unknown {
  let current = answer;
  for (const segment of segments) {
    if (segment.kind === 'key') {
      if (!isMapping(current) || !Object.prototype.hasOwnProperty.call(current, segment.key)) return undefined;
      current = current[segment.key];
    } else if (segment.kind === 'index') {
      if (!Array.isArray(current)) return undefined;
      current = current[segment.index];
    } else {
      if (!Array.isArray(current)) return undefined;
      current = current.find(
        (element: unknown) =>
          isMapping(element) &&
          Object.prototype.hasOwnProperty.call(element, segment.key) &&
          String(element[segment.key]) === segment.value,
      );
    }
  }
  return current;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
