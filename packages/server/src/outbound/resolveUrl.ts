import type { HttpParams } from '@nangohq/action';
import type { NangoConnection } from '@nangohq/protocol';
import type { IntegrationConfig } from '../config/types';
import { WorkerError } from '../errors';
import { describeBaseUrl } from './describeRequest';
import { invalid } from './httpErrors';
import { renderTemplate } from '../config/renderTemplate';
import { hasUserHost, userHostProblem } from '../config/userHost';
import { authModeHandler } from '../authModes/handlers';

/** `http:`/`https:` (a same-scheme `http:host` would otherwise parse as a path), any `scheme://`, or `//host`. */
const ABSOLUTE_ENDPOINT = /^(?:https?:|[a-z][a-z\d+.-]*:\/\/|[\\/]{2})/i;
const HTTP_PROTOCOLS: ReadonlySet<string> = new Set(['http:', 'https:']);

/**
 * The URL of one call: a relative endpoint joined to base_url, an absolute one taken as it is. A base_url
 * placeholder fills at most one label of a host whose domain the file fixes (see renderTemplate), so a
 * Connection cannot move the host the check below trusts. Messages name base_url as written when it has placeholders, never as rendered.
 *
 * @throws WorkerError `http_request_invalid` for an endpoint that is not a string or not a URL, a base_url
 *   placeholder that is missing or holds another character, or a base_url that is not http(s)
 * @throws WorkerError `http_host_not_allowed` when the URL's origin is not base_url's
 */
export function resolveUrl(integration: IntegrationConfig, connection: NangoConnection, endpoint: unknown): URL {
  if (typeof endpoint !== 'string') throw invalid(`httpRequest endpoint must be a string, not ${typeof endpoint}`);
  return resolveEndpoint(integration, resolveBaseUrl(integration, connection), endpoint);
}

/**
 * base_url filled for a Connection and parsed: the part of resolveUrl that does not depend on the call, which the
 * proxy makes once per Connection (api/routes/proxy/connectionTarget.ts).
 * @throws WorkerError `http_request_invalid` for a base_url placeholder that is missing or holds another
 *   character, or a base_url that is not an http(s) URL
 */
export function resolveBaseUrl(integration: IntegrationConfig, connection: NangoConnection): URL {
  const { path } = integration.baseUrl;
  const rendered = connectionBaseUrl(integration, connection);
  const base = parseUrl(rendered, `${path} does not render to a valid URL`);
  if (!HTTP_PROTOCOLS.has(base.protocol)) throw invalid(`${path} must be an http or https URL`);
  return base;
}

/**
 * The URL of one call against a base from resolveBaseUrl, which it reads and never changes (the proxy shares it
 * between calls).
 * @throws WorkerError `http_request_invalid` for an endpoint that is not a URL
 * @throws WorkerError `http_host_not_allowed` when the URL's origin is not base_url's
 */
export function resolveEndpoint(integration: IntegrationConfig, base: URL, endpoint: string): URL {
  const url = ABSOLUTE_ENDPOINT.test(endpoint)
    ? parseUrl(endpoint, 'httpRequest endpoint is not a valid URL', base)
    : joinEndpoint(base, endpoint);
  // Checked on the joined URL too, whatever the endpoint looked like: the origin decides who gets credentials.
  if (url.origin !== base.origin || !HTTP_PROTOCOLS.has(url.protocol)) {
    // The target differs from base_url's origin, so it comes from the endpoint the action wrote.
    const target = url.origin === 'null' ? url.protocol : url.origin;
    const allowed = describeBaseUrl(integration.baseUrl, base);
    const message = `httpRequest to ${target} refused: integration ${integration.name} only calls ${allowed}`;
    throw new WorkerError('http_host_not_allowed', message);
  }
  return url;
}

/**
 * The base URL of a Connection: when the integration's base_url is filled per Connection and the auth mode has the
 * Connection's own (see AuthModeHandler.baseUrl: MCP_OAUTH2_GENERIC's server), that one; else base_url filled for
 * it. A literal base_url (written in integrations.yaml, or a Base-Url-Override) is used as it is.
 * @throws WorkerError `http_request_invalid` when a value it needs is missing or does not fit
 */
export function connectionBaseUrl(integration: IntegrationConfig, connection: NangoConnection): string {
  const own = authModeHandler(integration.authMode).baseUrl;
  const perConnection = integration.baseUrl.parts.some((part) => typeof part !== 'string');
  if (own && perConnection) return own(integration, connection);
  const rendered = renderTemplate(integration.baseUrl, connection, { baseUrl: true });
  if (hasUserHost(integration.baseUrl) && URL.canParse(rendered)) {
    const problem = userHostProblem(new URL(rendered));
    if (problem) throw invalid(`${integration.baseUrl.path}: the host made with this connection's values ${problem}`);
  }
  return rendered;
}

/**
 * Whether a Connection's calls go to a host its user typed (base_url's host or domain is its config's value, see
 * config/userHost.ts), and so through the address guard (net/addressGuard.ts). A mode's own base URL (the
 * MCP server of MCP_OAUTH2_GENERIC) keeps its own rules.
 */
export function callsUserHost(integration: IntegrationConfig): boolean {
  return hasUserHost(integration.baseUrl) && authModeHandler(integration.authMode).baseUrl === undefined;
}

/**
 * Precedence, lowest first: configured query_params, the endpoint's own query string, the call's params. A call
 * param valued null or undefined is left out, as the 2022 product's HTTP client did (a first page is asked for
 * with `after: null`).
 */
export function mergeQuery(url: URL, configured: readonly [string, string][], params: HttpParams | undefined): void {
  const merged = new URLSearchParams();
  for (const [name, value] of configured) merged.set(name, value);
  for (const name of new Set(url.searchParams.keys())) merged.delete(name);
  for (const [name, value] of url.searchParams) merged.append(name, value);
  for (const [name, value] of Object.entries(params ?? {})) {
    if (value !== undefined && value !== null) merged.set(name, String(value));
  }
  url.search = merged.toString();
}

/** `https://slack.com/api/` + `/chat.postMessage` → `https://slack.com/api/chat.postMessage`; base_url's query first. */
function joinEndpoint(base: URL, endpoint: string): URL {
  const rest = endpoint.replace(/^\/+/, '');
  if (rest === '') return new URL(base.href);
  const joined = `${base.origin}${base.pathname.replace(/\/+$/, '')}/${rest}`;
  const url = parseUrl(joined, 'httpRequest endpoint is not a valid URL');
  if (base.search !== '') url.search = new URLSearchParams([...base.searchParams, ...url.searchParams]).toString();
  return url;
}

/** No cause kept: the parser's error carries the text, which may hold a credential. */
function parseUrl(text: string, problem: string, base?: URL): URL {
  if (!URL.canParse(text, base?.href)) throw invalid(problem);
  return new URL(text, base);
}
