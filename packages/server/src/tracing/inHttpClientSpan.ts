import type { Attributes } from '@opentelemetry/api';
import { otelApi } from './otelApi';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
} from './semanticConventions';
import { inSpan } from './inSpan';
import { activeTracer } from './tracer';

/**
 * Sends one HTTP request to a provider, a token endpoint or a webhook receiver inside an HTTP client span (semantic
 * conventions: named by the method, `http.request.method`, `server.address`, `server.port`, `url.full`,
 * `http.response.status_code`; a status of 400 or more, or a network error, marks it failed). `url.full` is the
 * origin and path only: a query string may hold an API key, and user info a password.
 * @param url what may be shown of the URL: undefined when nothing of it may (the caller gives `url.template`), its
 *   origin alone when its path may hold a token
 * @param extra attributes of our own, such as `nango.integration`
 */
export function inHttpClientSpan<R extends { readonly status: number }>(
  method: string,
  url: URL | string | undefined,
  send: () => Promise<R>,
  extra?: Attributes,
): Promise<R> {
  if (activeTracer() === undefined) return send();
  const { SpanKind, SpanStatusCode } = otelApi();
  const attributes: Attributes = { [ATTR_HTTP_REQUEST_METHOD]: method, ...urlAttributes(url), ...extra };
  return inSpan(method, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    const response = await send();
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.status);
    if (response.status >= 400) {
      span.setAttribute(ATTR_ERROR_TYPE, String(response.status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    return response;
  });
}

/** What a span shows of a URL; nothing of one that does not parse (`send` then fails as it would untraced). */
function urlAttributes(given: URL | string | undefined): Attributes {
  const url = typeof given === 'string' ? (URL.canParse(given) ? new URL(given) : undefined) : given;
  if (url === undefined) return {};
  return {
    [ATTR_SERVER_ADDRESS]: url.hostname,
    [ATTR_SERVER_PORT]: url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port),
    [ATTR_URL_FULL]: `${url.origin}${url.pathname}`,
  };
}
