import type { Provider } from './Provider';

/**
 * One input a catalog entry describes, as Nango's providers.yaml writes it under `connection_config` (a per-tenant
 * value: a subdomain, a region, an account id) or `credentials` (what the user types for API_KEY, BASIC and the other
 * static modes). Every field but `name` is optional; unknown ones are ignored.
 */
export interface FieldDescription {
  /** The key: `params[<name>]` on the connect routes, the config key on the Connection, or the credential field. */
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly example?: string;
  /** A JavaScript regular expression (no flags, not anchored unless it says so) the value must match. */
  readonly pattern?: string;
  /** `hostname`, `uri`, `uuid` or `email`: a shape the value must have (others are not checked). */
  readonly format?: string;
  /** Shown before and after the input (`https://`, `.zendesk.com`): not part of the value. */
  readonly prefix?: string;
  readonly suffix?: string;
  /** The only values allowed; a form shows a list. */
  readonly enum?: readonly string[];
  /** The value when none is given (a form fills it in; the server stores it). */
  readonly default_value?: string;
  /** Not required. */
  readonly optional?: boolean;
  /** Filled by the server (from the token response, the callback or a post-connection step): never asked. */
  readonly automated?: boolean;
  /** Not shown: its default_value is used. */
  readonly hidden?: boolean;
  /** A secret: a password input, never echoed. */
  readonly secret?: boolean;
  /** Where it goes in a form: fields with an order first, by it; the others after, as declared. */
  readonly order?: number;
  /** An anchor of the provider's setup guide (`docs_connect`), e.g. `#step-1-finding-your-subdomain`. */
  readonly doc_section?: string;
}

/** The formats this server checks, and how a message names them; the same rules as the Connect page's. */
const FORMATS: Readonly<Record<string, { test: (value: string) => boolean; name: string }>> = {
  hostname: { test: (value) => /^[A-Za-z0-9.-]+$/.test(value), name: "a host name (letters, digits, '.' and '-')" },
  uuid: { test: (value) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value), name: 'a UUID' },
  email: { test: (value) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value), name: 'an email address' },
  uri: { test: (value) => URL.canParse(value), name: 'a URL' },
};

const TEXT_FIELDS = ['title', 'description', 'example', 'pattern', 'format', 'prefix', 'suffix', 'doc_section'] as const;
const FLAGS = ['optional', 'automated', 'hidden', 'secret'] as const;

const cache = new WeakMap<object, readonly FieldDescription[]>();

/** The `connection_config` fields of a catalog entry, in form order (see FieldDescription.order). */
export function connectionConfigFields(provider: Provider | undefined): readonly FieldDescription[] {
  return fieldsOf(provider?.connection_config);
}

/** The `credentials` fields of a catalog entry, in form order. */
export function credentialFields(provider: Provider | undefined): readonly FieldDescription[] {
  return fieldsOf((provider as { credentials?: unknown } | undefined)?.credentials);
}

/**
 * The fields a mapping of Nango's format describes, typed: entries that are not mappings are skipped, text fields
 * that are not text dropped, numbers and booleans of `example`/`default_value`/`enum` kept as text. Cached per
 * mapping (catalog entries are frozen).
 */
export function fieldsOf(mapping: unknown): readonly FieldDescription[] {
  if (!isMapping(mapping)) return [];
  const known = cache.get(mapping);
  if (known) return known;
  const fields: FieldDescription[] = [];
  for (const [name, value] of Object.entries(mapping)) {
    if (!isMapping(value)) continue;
    const field: Record<string, unknown> = { name };
    for (const key of TEXT_FIELDS) if (typeof value[key] === 'string') field[key] = value[key];
    for (const key of FLAGS) if (value[key] === true) field[key] = true;
    if (isScalar(value['example'])) field['example'] = String(value['example']);
    if (isScalar(value['default_value'])) field['default_value'] = String(value['default_value']);
    if (typeof value['order'] === 'number' && Number.isFinite(value['order'])) field['order'] = value['order'];
    if (Array.isArray(value['enum'])) field['enum'] = value['enum'].filter(isScalar).map(String);
    fields.push(Object.freeze(field as unknown as FieldDescription));
  }
  const ordered = Object.freeze(inFormOrder(fields));
  cache.set(mapping, ordered);
  return ordered;
}

/** Fields with an `order` first (by it), then the others as declared: where the Connect UI puts them. */
function inFormOrder(fields: FieldDescription[]): FieldDescription[] {
  const ranked = fields.filter((field) => field.order !== undefined).sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
  return [...ranked, ...fields.filter((field) => field.order === undefined)];
}

/** The `connection_config` fields whose values the catalog lists (`enum`), by name: see interpolateUrl's `closed`. */
export function closedValues(provider: Provider | undefined): ReadonlyMap<string, readonly string[]> {
  return new Map(
    connectionConfigFields(provider)
      .filter((field) => field.enum !== undefined && field.enum.length > 0)
      .map((field) => [field.name, field.enum ?? []]),
  );
}

/** Whether a form asks the user for this field: not filled by the server, not hidden. */
export function isAsked(field: FieldDescription): boolean {
  return field.automated !== true && field.hidden !== true;
}

/**
 * Whether a value must be given for the field: not optional, no default, and not filled by the server (automated).
 * A hidden field without a default is required as well: the app gives it (a connect session's defaults, `params`).
 */
export function isRequired(field: FieldDescription): boolean {
  return field.optional !== true && field.automated !== true && field.default_value === undefined;
}

/**
 * What is wrong with a value given for the field, or undefined when nothing is. The text names the field's rule
 * (its pattern, format or allowed values) and never the value, which may be a secret.
 */
export function valueProblem(field: FieldDescription, value: string): string | undefined {
  if (field.enum && field.enum.length > 0 && !field.enum.includes(value)) {
    return `must be one of ${field.enum.join(', ')}`;
  }
  const format = field.format !== undefined && Object.hasOwn(FORMATS, field.format) ? FORMATS[field.format] : undefined;
  if (format && !format.test(value)) return `must be ${format.name}${exampleOf(field)}`;
  const pattern = patternOf(field);
  if (pattern && !pattern.test(value)) return `does not match the pattern ${field.pattern ?? ''}${exampleOf(field)}`;
  return undefined;
}

/** `, e.g. acme` when the field gives an example. */
function exampleOf(field: FieldDescription): string {
  return field.example === undefined || field.secret === true ? '' : `, e.g. ${field.example}`;
}

const patterns = new Map<string, RegExp | null>();

/**
 * The field's pattern compiled, as the Connect page compiles it (`new RegExp(pattern)`); undefined when it has none
 * or JavaScript cannot compile it (one entry of Nango's catalog has such a pattern: it is not checked, rather than
 * making the provider unusable).
 */
export function patternOf(field: FieldDescription): RegExp | undefined {
  if (field.pattern === undefined) return undefined;
  let compiled = patterns.get(field.pattern);
  if (compiled === undefined) {
    try {
      compiled = new RegExp(field.pattern);
    } catch {
      compiled = null;
    }
    patterns.set(field.pattern, compiled);
  }
  return compiled ?? undefined;
}

/** How a field is named in a message: its key and, when it has one, its title. */
export function describeField(field: FieldDescription, key: string): string {
  return field.title ? `${key} (${field.title})` : key;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
