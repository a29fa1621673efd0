import type { HttpResponse } from '../http';
import { definedParams } from './recordHttp';
import type { RecordedExchange } from './Recording';
import type { LocalHttp } from './runLocally';

/**
 * An `httpRequest` that answers from a recording instead of the network. A call is matched on its method,
 * endpoint, params and body; the same call made several times gets the recorded replies in their order. A call the
 * recording does not hold throws, naming it and what the recording has, so a changed function fails its test
 * rather than reaching a provider.
 */
export function replayHttp(exchanges: readonly RecordedExchange[], name = 'the recording'): LocalHttp {
  const queues = new Map<string, RecordedExchange[]>();
  for (const exchange of exchanges) {
    const key = keyOf(exchange.method, exchange.endpoint, exchange.params, exchange.body);
    queues.set(key, [...(queues.get(key) ?? []), exchange]);
  }
  return async (endpoint, method, params, body) => {
    const key = keyOf(method, endpoint, params, body);
    const queue = queues.get(key);
    const exchange = queue?.shift();
    if (!exchange) {
      const known = exchanges.map((recorded) => `${recorded.method} ${recorded.endpoint}${query(recorded.params)}`);
      const again = queue ? ' again (it was answered as many times as recorded)' : '';
      throw new Error(
        `${name} has no reply for ${method.toUpperCase()} ${endpoint}${query(params)}${again}; it holds: ${known.join(', ') || 'no request'}`,
      );
    }
    return responseOf(exchange);
  };
}

/** The reply as the worker builds one: `body` parsed when the content type says JSON, `json` parsed whatever it says. */
function responseOf(exchange: RecordedExchange): HttpResponse {
  const { status, statusText, headers, text } = exchange.response;
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  const isJson = /^application\/(.+\+)?json\b/i.test(headers['content-type'] ?? '');
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText,
    headers: { ...headers },
    body: isJson && json !== undefined ? json : text,
    data: text,
    json,
  };
}

function keyOf(method: string, endpoint: string, params: unknown, body: unknown): string {
  const defined = params && typeof params === 'object' ? definedParams(params as never) : {};
  return JSON.stringify([
    method.toUpperCase(),
    endpoint,
    sorted(JSON.parse(JSON.stringify(defined))),
    body === undefined ? null : sorted(JSON.parse(JSON.stringify(body))),
  ]);
}

/** Object keys in order, at every depth: a function building the same object in another order matches. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((name) => [name, sorted((value as Record<string, unknown>)[name])]),
  );
}

function query(params: unknown): string {
  if (!params || typeof params !== 'object' || Object.keys(params).length === 0) return '';
  return `?${new URLSearchParams(definedParams(params as never) as Record<string, string>).toString()}`;
}
