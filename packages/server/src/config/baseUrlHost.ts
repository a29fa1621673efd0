import type { Template, TemplatePart } from './types';

/** Where a base_url's placeholders fall, and what is wrong with where they fall. */
export interface BaseUrlHost {
  /** Indexes (in `template.parts`) of the placeholders that fill a label of the host. */
  readonly hostParts: ReadonlySet<number>;
  /** Why the placeholders may not stand where they do, without the path; undefined when they may. */
  readonly problem: string | undefined;
}

/** A placeholder in base_url's host fills one label, with at least this many fixed labels after it. */
const FIXED_LABELS = 2;

const cache = new WeakMap<Template, BaseUrlHost>();

/**
 * Finds the placeholders in base_url's host and checks that each fills one label of a host whose domain the file
 * fixes: `https://${additionalConfig.tenant}.example.com` (a tenant's subdomain). A placeholder may not make up
 * the host, its domain or its last label, nor stand in the scheme, user info or port: whoever can change a
 * Connection's additionalConfig could then send the integration's credentials to a host of their choosing.
 * The layout is worked out by rendering the template with a marker per placeholder.
 */
export function baseUrlHost(template: Template): BaseUrlHost {
  const known = cache.get(template);
  if (known) return known;
  const found = analyse(template.parts);
  cache.set(template, found);
  return found;
}

function analyse(parts: readonly TemplatePart[]): BaseUrlHost {
  const marker = (index: number) => `nangoplaceholder${index}x`;
  const placeholders = parts.flatMap((part, index) => (typeof part === 'string' ? [] : [index]));
  const hostParts = new Set(placeholders.filter((index) => inAuthority(parts, index)));
  if (hostParts.size === 0) return { hostParts, problem: undefined };
  const first = describe(parts[[...hostParts][0]!]);
  const example = 'e.g. https://${additionalConfig.tenant}.example.com';
  const notFixed = `${first} must fill one label of a host whose domain is written here, with at least ${FIXED_LABELS} fixed labels after it (${example})`;
  const text = parts.map((part, index) => (typeof part === 'string' ? part : marker(index))).join('');
  // A host that does not parse with a name in the placeholder's place ends in a number: an IP address to be.
  if (!URL.canParse(text)) return { hostParts, problem: notFixed };
  const url = new URL(text);
  const elsewhere = [...hostParts].find((index) =>
    [url.protocol, url.username, url.password, url.port].some((field) => field.includes(marker(index))),
  );
  if (elsewhere !== undefined) {
    return { hostParts, problem: `${describe(parts[elsewhere])} may not stand in the scheme, user info or port` };
  }
  const labels = url.hostname.split('.');
  const holds = (label: string) => [...hostParts].some((index) => label.includes(marker(index)));
  const last = labels.findLastIndex(holds);
  const fixed = labels.slice(last + 1);
  if (labels.length === 1 && hostParts.size === 1 && labels[0] === marker([...hostParts][0]!)) {
    const problem = `${first} makes up the whole host; a placeholder may only fill one label of a domain written here, ${example}`;
    return { hostParts, problem };
  }
  if (fixed.length < FIXED_LABELS || /^\d+$/.test(fixed.at(-1) ?? '')) return { hostParts, problem: notFixed };
  return { hostParts, problem: undefined };
}

/**
 * Whether the placeholder at `index` stands between `scheme://` and the first `/`, `?` or `#` of the literal
 * text before it: in the authority (user info, host or port), wherever a value would put the rest.
 */
function inAuthority(parts: readonly TemplatePart[], index: number): boolean {
  const before = parts
    .slice(0, index)
    .map((part) => (typeof part === 'string' ? part : 'x'))
    .join('');
  return /^[a-z][a-z\d+.-]*:\/\/[^/?#\\]*$/i.test(before);
}

function describe(part: TemplatePart | undefined): string {
  return part === undefined || typeof part === 'string' ? 'a placeholder' : describePlaceholder(part);
}

/** A placeholder as written in integrations.yaml: `${userId}`, `${api_key}`, `${additionalConfig.a.b}`. */
export function describePlaceholder(part: Exclude<TemplatePart, string>): string {
  switch (part.kind) {
    case 'userId':
      return '${userId}';
    case 'credential':
      return `\${${part.field}}`;
    case 'config':
      return `\${additionalConfig.${part.path.join('.')}}`;
  }
}
