import type { Template } from '../config/types';
import { causeCode, causeMessage } from './httpErrors';

/** How failure messages name one request: never its query string, never a value rendered from a placeholder. */
export interface RequestLabel {
  /** `GET https://slack.com/api/chat.postMessage`, or `GET rest/api/3/myself on https://${additionalConfig.site}.atlassian.net`. */
  readonly text: string;
  /** Describes why the request failed on the network, within the same limits as `text`. */
  readonly cause: (err: unknown) => string;
}

/**
 * Names a request for a timeout or network error message. With a plain base_url, the URL's origin and path;
 * with placeholders, base_url as written in integrations.yaml plus the endpoint as the action passed it, since
 * the rendered URL holds Connection values. Either way the query string is left out: it may hold an api_key.
 */
export function describeRequest(baseUrl: Template, method: string, endpoint: string, url: URL): RequestLabel {
  if (!hasPlaceholders(baseUrl)) {
    return { text: `${method} ${url.origin}${url.pathname}`, cause: (err) => causeMessage(err, url) };
  }
  const path = endpoint.split(/[?#]/, 1)[0] ?? '';
  const text = path === '' ? `${method} ${baseUrl.source}` : `${method} ${path} on ${baseUrl.source}`;
  return { text, cause: causeCode };
}

/** base_url for a message: its origin when it is plain, the text as written when it holds placeholders. */
export function describeBaseUrl(baseUrl: Template, rendered: URL): string {
  return hasPlaceholders(baseUrl) ? baseUrl.source : rendered.origin;
}

/**
 * What a trace shows of a request's URL when base_url holds placeholders: base_url as written plus the endpoint's
 * path as the action passed it (the rendered URL holds Connection values, a key in a path included). Undefined for a
 * plain base_url, whose rendered origin and path may be shown.
 */
export function urlTemplate(baseUrl: Template, endpoint: string): string | undefined {
  if (!hasPlaceholders(baseUrl)) return undefined;
  const path = endpoint.split(/[?#]/, 1)[0] ?? '';
  return path === '' ? baseUrl.source : `${baseUrl.source.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

function hasPlaceholders(template: Template): boolean {
  return template.parts.some((part) => typeof part !== 'string');
}
