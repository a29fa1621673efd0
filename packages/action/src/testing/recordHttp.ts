import type { HttpParams } from '../http';
import type { RecordedExchange } from './Recording';
import type { LocalHttp } from './runLocally';

/**
 * Wraps a local run's `httpRequest` so every call and its reply is appended to `exchanges`, as the function saw
 * them (not yet redacted: the recording is redacted whole when written, see redactSecrets). A call that throws
 * (the server unreachable, a time limit) is not recorded.
 */
export function recordHttp(http: LocalHttp, exchanges: RecordedExchange[]): LocalHttp {
  return async (endpoint, method, params, body, headers) => {
    const response = await http(endpoint, method, params, body, headers);
    exchanges.push({
      method: method.toUpperCase(),
      endpoint,
      ...(params !== undefined && { params: definedParams(params) }),
      ...(body !== undefined && { body }),
      response: { status: response.status, statusText: response.statusText, headers: response.headers, text: response.data },
    });
    return response;
  };
}

/** Params without the null and undefined values httpRequest leaves out: they do not survive JSON anyway. */
export function definedParams(params: HttpParams): HttpParams {
  return Object.fromEntries(Object.entries(params).filter(([, value]) => value !== null && value !== undefined));
}
