import { isIP } from 'node:net';
import { baseUrlHost } from '../../config/baseUrlHost';
import { userHostProblem } from '../../config/userHost';
import type { Template, TemplatePart } from '../../config/types';
import { OAuthFlowError } from './OAuthFlowError';

/** `${connectionConfig.name}` (today's catalog) or `${connectionConfig.params.name}` (the 2023 form). */
const PLACEHOLDER = /\$\{connectionConfig\.(?:params\.)?([A-Za-z0-9_-]+)\}/g;

/** RFC 3986 unreserved characters: such a value cannot move the URL to another host, path or query. */
const UNRESERVED = /^[A-Za-z0-9._~-]+$/;

/** One DNS label (letters, digits, inner hyphens; no dot): what a placeholder in a host may hold, as in base_url. */
const DNS_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * Fills a catalog URL's `${connectionConfig.<name>}` placeholders from the Connection's config (the `params[…]` of
 * the connect request), by the rules base_url's placeholders follow (config/renderTemplate.ts): a placeholder in the
 * host fills one DNS label of a host whose domain the catalog writes (`https://${connectionConfig.subdomain}.zendesk.com`:
 * `acme`, not `acme.evil.example`), a value elsewhere is made of unreserved characters. Otherwise a user could send
 * the authorization code, with the client secret, to a host of their choosing. Of Nango's `A || B` alternatives, the
 * first whose every value is given is taken (`https://${connectionConfig.hostname}/… || https://login.example.com/…`).
 *
 * A host the user types (`https://${connectionConfig.hostname}/oauth/authorize`, a self-hosted instance: see
 * config/userHost.ts) must be a host name, not an IP address. It is accepted where only the user's browser goes (the
 * authorization URL: what it carries, the client id, is public) and where the client is the user's own; never where
 * the integration's own client secret would be sent (`sendsIntegrationClient`: token, request and refresh URLs).
 * @param closed values the catalog lists for a field (its `enum`): those may stand anywhere, e.g. as a domain
 * @param what names the URL in error messages, e.g. `token_url`
 * @param options.sendsIntegrationClient the server sends the integration's own client secret (or signs with its
 *   consumer secret) to this URL. Default: false
 * @throws OAuthFlowError `url_param_err` (a value missing or that does not fit), `provider_config_err` (the URL puts
 *   a value where it may not stand, e.g. as the whole host)
 */
export function interpolateUrl(
  template: string,
  config: Readonly<Record<string, string>>,
  what: string,
  closed: ClosedValues = NO_CLOSED_VALUES,
  options: { sendsIntegrationClient?: boolean } = {},
): string {
  const alternatives = template.split(' || ').map((alternative) => alternative.trim());
  const given = (name: string): boolean => (Object.prototype.hasOwnProperty.call(config, name) ? config[name] : '') !== '';
  const chosen =
    alternatives.find((alternative) => [...alternative.matchAll(PLACEHOLDER)].every(([, name]) => given(name ?? ''))) ??
    alternatives[alternatives.length - 1] ??
    template;
  const parsed = partsOf(chosen, what, (name) => {
    const value = Object.prototype.hasOwnProperty.call(config, name) ? config[name] : undefined;
    return value !== undefined && UNRESERVED.test(value) && closed.get(name)?.includes(value) === true ? value : undefined;
  });
  const { hostParts, userHostParts, problem } = baseUrlHost(parsed);
  if (problem)
    throw new OAuthFlowError(
      'provider_config_err',
      `The provider's ${what}: ${problem.replace(/\$\{additionalConfig\./g, '${connectionConfig.')}`,
    );
  if (userHostParts.size > 0 && options.sendsIntegrationClient === true) {
    throw new OAuthFlowError(
      'provider_config_err',
      `The provider's ${what} takes its host from a value the user types, and the integration's OAuth client secret is never sent to such a host: write your instance's ${what} in integrations.yaml`,
    );
  }
  const url = parsed.parts
    .map((part, index) => {
      if (typeof part === 'string') return part;
      const name = part.kind === 'config' ? (part.path[0] ?? '') : '';
      const value = Object.prototype.hasOwnProperty.call(config, name) ? config[name] : undefined;
      if (value === undefined || value === '') {
        throw new OAuthFlowError(
          'url_param_err',
          `The provider's ${what} needs params[${name}] in the connect request (frontend: auth(…, { params: { ${name}: … } }))`,
        );
      }
      if (hostParts.has(index) && !DNS_LABEL.test(value)) {
        throw new OAuthFlowError(
          'url_param_err',
          `params[${name}] fills one label of the provider's host: letters, digits and '-' only, no dots`,
        );
      }
      if (!UNRESERVED.test(value)) {
        throw new OAuthFlowError('url_param_err', `params[${name}] may hold only letters, digits, '.', '-', '_' and '~'`);
      }
      return value;
    })
    .join('');
  if (url.includes('${'))
    throw new OAuthFlowError('provider_config_err', `The provider's ${what} has a placeholder this server cannot fill`);
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(url);
    if (parsedUrl.protocol !== 'https:' && parsedUrl.protocol !== 'http:') throw new Error('not http');
  } catch {
    throw new OAuthFlowError('provider_config_err', `The provider's ${what} is not an http(s) URL`);
  }
  const host = parsedUrl.hostname.replace(/^\[|\]$/g, '');
  if (hostParts.size > 0 && isIP(host.replace(/\.$/, '')) !== 0) {
    throw new OAuthFlowError('url_param_err', `The provider's ${what} made with these params has an IP address as its host`);
  }
  const typed = userHostParts.size > 0 ? userHostProblem(parsedUrl) : undefined;
  if (typed) throw new OAuthFlowError('url_param_err', `The host of the provider's ${what} made with these params ${typed}`);
  return url;
}

/**
 * The `connection_config` fields whose values make up the host (or its domain) of a catalog URL, in any of its
 * `A || B` alternatives: hosts a user types (config/userHost.ts). A field with a closed list of values is not one.
 */
export function userHostFields(template: string, closed: ClosedValues = NO_CLOSED_VALUES): string[] {
  const fields = template.split(' || ').flatMap((alternative) => {
    const parsed = partsOf(alternative.trim(), 'url', (name) => (closed.has(name) ? (closed.get(name)?.[0] ?? 'x') : undefined));
    return [...baseUrlHost(parsed).userHostParts].map((index) => {
      const part = parsed.parts[index];
      return part !== undefined && typeof part !== 'string' && part.kind === 'config' ? (part.path[0] ?? '') : '';
    });
  });
  return [...new Set(fields.filter((field) => field !== ''))];
}

/**
 * Per-tenant values the catalog restricts to a list it writes (a field's `enum`, e.g. Zoho's data centres `com`,
 * `eu`, `com.au`): by name, the values allowed. Such a value is the catalog's own text, so it may stand anywhere in
 * the URL, a host's domain included.
 */
export type ClosedValues = ReadonlyMap<string, readonly string[]>;

const NO_CLOSED_VALUES: ClosedValues = new Map();

/**
 * A catalog URL as template parts: the text (closed values written in as text), and one config part per other
 * placeholder, for baseUrlHost's analysis.
 */
function partsOf(text: string, what: string, closedValue: (name: string) => string | undefined): Template {
  const parts: TemplatePart[] = [];
  let literal = '';
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    literal += text.slice(last, match.index);
    last = match.index + match[0].length;
    const name = match[1] ?? '';
    const value = closedValue(name);
    if (value !== undefined) {
      literal += value;
      continue;
    }
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push({ kind: 'config', path: [name] });
  }
  literal += text.slice(last);
  if (literal !== '') parts.push(literal);
  return { source: text, path: what, parts };
}

/** `url` with `params` appended to its query, percent-encoded (spaces as %20, which every provider reads). */
export function withQuery(url: string, params: Iterable<readonly [string, string]>): string {
  const pairs = [...params].map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  if (pairs.length === 0) return url;
  const [base, fragment] = splitFragment(url);
  const separator = base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?';
  return `${base}${separator}${pairs.join('&')}${fragment}`;
}

function splitFragment(url: string): [string, string] {
  const hash = url.indexOf('#');
  return hash === -1 ? [url, ''] : [url.slice(0, hash), url.slice(hash)];
}
