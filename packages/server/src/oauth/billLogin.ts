import { inHttpClientSpan } from '../tracing/inHttpClientSpan';
import { describeFetchError, isTransientStatus, TokenEndpointError } from './requestToken';
import { scrubSecrets } from './scrubSecrets';
import { parseJsonObject } from '../parseJsonObject';

/** What Bill's v3 login takes: the user's sign-in, their organization, and the developer key of the app. */
export interface BillLoginRequest {
  readonly loginUrl: string;
  readonly username: string;
  readonly password: string;
  readonly organizationId: string;
  readonly devKey: string;
  readonly timeoutMs: number;
}

/**
 * One POST to Bill's v3 login (`{ username, password, organizationId, devKey }` as JSON).
 * @returns Bill's answer: `sessionId` (a non-empty string), `userId`, `organizationId`, …
 * @throws TokenEndpointError `transient` (no answer, 408/429/5xx), `rejected` (400, 401 or 403: the sign-in or the
 *   key is wrong, only the user can fix it), `refused` (anything else, or no sessionId); the message quotes Bill's
 *   error with every secret of the request scrubbed
 */
export async function billLogin(request: BillLoginRequest): Promise<Record<string, unknown>> {
  const body = JSON.stringify({
    username: request.username,
    password: request.password,
    organizationId: request.organizationId,
    devKey: request.devKey,
  });
  let status: number;
  let text: string;
  try {
    const signal = AbortSignal.timeout(request.timeoutMs);
    const send = () =>
      fetch(request.loginUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body,
        signal,
      });
    const response = await inHttpClientSpan('POST', request.loginUrl, send, { 'nango.token_request': 'bill_login' });
    status = response.status;
    text = await response.text();
  } catch (error) {
    throw new TokenEndpointError('transient', describeFetchError(error, request.timeoutMs), { cause: error });
  }
  const json = parseJsonObject(text);
  if (status >= 200 && status < 300) {
    if (typeof json?.['sessionId'] === 'string' && json['sessionId'] !== '') return json;
    throw new TokenEndpointError('refused', `HTTP ${status} without a sessionId in a JSON object`);
  }
  const reason = scrubSecrets(errorText(text), [request.password, request.devKey, request.username]).slice(0, 300);
  const message = `HTTP ${status}${reason ? ` ${reason}` : ''}`;
  if (isTransientStatus(status)) throw new TokenEndpointError('transient', message);
  throw new TokenEndpointError(status === 400 || status === 401 || status === 403 ? 'rejected' : 'refused', message);
}

/** Bill's error: `[{ code, message }]` (v3) or `{ response_data: { error_message } }` (v2); else nothing. */
function errorText(text: string): string {
  try {
    const value: unknown = JSON.parse(text);
    const first = (Array.isArray(value) ? value[0] : value) as Record<string, unknown> | undefined;
    const parts = [first?.['code'], first?.['message'] ?? first?.['error_message']].filter((part) => typeof part === 'string');
    return parts.join(': ').replaceAll('\u0000', '\\u0000');
  } catch {
    return '';
  }
}
