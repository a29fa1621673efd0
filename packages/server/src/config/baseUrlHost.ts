import type { Template, TemplatePart } from './types';

/** Where a base_url's placeholders fall, and what is wrong with where they fall. */
export interface BaseUrlHost {
  /** Indexes (in `template.parts`) of the placeholders that fill one label of a host whose domain is written here. */
  readonly hostParts: ReadonlySet<number>;
  /**
   * Indexes of the placeholders that make up the host or its domain (`https://${connectionConfig.hostname}/api`,
   * `https://api.${connectionConfig.domain}`): a host the user types, a self-hosted instance. Such a host is fixed
   * when the Connection is made, and the requests to it pass the address guard (net/addressGuard.ts); see
   * docs/integrations-yaml.md, "Hosts a user types".
   */
  readonly userHostParts: ReadonlySet<number>;
  /** Why the placeholders may not stand where they do, without the path; undefined when they may. */
  readonly problem: string | undefined;
}

/** A placeholder in base_url's host fills one label, with at least this many fixed labels after it. */
const FIXED_LABELS = 2;

const cache = new WeakMap<Template, BaseUrlHost>();

/**
 * Finds the placeholders in a URL's host. Either each fills one label of a host whose domain the file fixes
 * (`https://${additionalConfig.tenant}.example.com`, a tenant's subdomain: `hostParts`), or together they make up the
 * host or its domain (`https://${additionalConfig.hostname}`, a self-hosted instance: `userHostParts`). A host the
 * user types is allowed because three rules hold wherever it is used: its value is a host name, checked when the
 * Connection is made (config/userHost.ts); it cannot be changed afterwards (operations/updateConnectionConfig.ts);
 * and every request to it passes the address guard, which refuses loopback, private, link-local and metadata
 * addresses after DNS resolution (net/addressGuard.ts). A placeholder may still not stand in the scheme, user
 * info or port, nor before a last label that is a number (an IP address to be).
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
  const none = new Set<number>();
  if (hostParts.size === 0) return { hostParts, userHostParts: none, problem: undefined };
  const first = describe(parts[[...hostParts][0]!]);
  const example = 'e.g. https://${additionalConfig.tenant}.example.com';
  const notFixed = `${first} must fill one label of a host whose domain is written here, with at least ${FIXED_LABELS} fixed labels after it (${example}), or make up the host name itself; it may not stand before a last label that is a number`;
  const text = parts.map((part, index) => (typeof part === 'string' ? part : marker(index))).join('');
  // A host that does not parse with a name in the placeholder's place ends in a number: an IP address to be.
  if (!URL.canParse(text)) return { hostParts, userHostParts: none, problem: notFixed };
  const url = new URL(text);
  const elsewhere = [...hostParts].find((index) =>
    [url.protocol, url.username, url.password, url.port].some((field) => field.includes(marker(index))),
  );
  if (elsewhere !== undefined) {
    const problem = `${describe(parts[elsewhere])} may not stand in the scheme, user info or port`;
    return { hostParts, userHostParts: none, problem };
  }
  const labels = url.hostname.split('.');
  const holds = (label: string) => [...hostParts].some((index) => label.includes(marker(index)));
  const last = labels.findLastIndex(holds);
  const fixed = labels.slice(last + 1);
  if (/^\d+$/.test(fixed.at(-1) ?? '')) return { hostParts, userHostParts: none, problem: notFixed };
  // Fewer fixed labels: the placeholders make up the host or its domain, a host the user types. Only a Connection's
  // config is checked when the Connection is made and then fixed: a credential or user id may not make up a host.
  if (fixed.length < FIXED_LABELS) {
    const notConfig = [...hostParts].find((index) => (parts[index] as Exclude<TemplatePart, string>).kind !== 'config');
    if (notConfig !== undefined) {
      const problem = `${describe(parts[notConfig])} may not make up a host: only a Connection's config may (${example})`;
      return { hostParts, userHostParts: none, problem };
    }
    return { hostParts: none, userHostParts: hostParts, problem: undefined };
  }
  return { hostParts, userHostParts: none, problem: undefined };
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
