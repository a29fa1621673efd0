import { causeMessage, invalid } from './httpErrors';

/** A request body encoded once, so every redirect hop can send it again. */
export interface PreparedBody {
  readonly payload: string | Uint8Array;
  /** Sent unless the configured or call headers set a content-type. */
  readonly contentType: string | undefined;
}

/**
 * Encodes an action's body: undefined/null: none; string: text/plain; Buffer/Uint8Array/ArrayBuffer: as is;
 * URLSearchParams: form-encoded; anything else: JSON. With GET or HEAD a body is left out and `warn` told: fetch
 * cannot send one, and the 2022 product's action files pass one (its HTTP client sent it, and APIs ignored it).
 *
 * @throws WorkerError `http_request_invalid` for a body JSON.stringify refuses
 */
export function prepareBody(method: string, body: unknown, warn?: (message: string) => void): PreparedBody | undefined {
  if (body === undefined || body === null) return undefined;
  if (method === 'GET' || method === 'HEAD') {
    warn?.(`httpRequest ${method} cannot send a body: it was left out (send it as params)`);
    return undefined;
  }
  if (typeof body === 'string') return { payload: body, contentType: 'text/plain;charset=UTF-8' };
  // Tags and isView rather than instanceof, which fails for values made in another realm (a vm context).
  if (ArrayBuffer.isView(body)) {
    return { payload: new Uint8Array(body.buffer, body.byteOffset, body.byteLength), contentType: undefined };
  }
  if (tagOf(body) === 'ArrayBuffer') return { payload: new Uint8Array(body as ArrayBuffer), contentType: undefined };
  if (tagOf(body) === 'URLSearchParams') {
    return { payload: String(body), contentType: 'application/x-www-form-urlencoded;charset=UTF-8' };
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(body);
  } catch (err) {
    throw invalid(`httpRequest body cannot be sent as JSON: ${causeMessage(err)}`, err);
  }
  if (json === undefined) throw invalid(`httpRequest body cannot be sent as JSON: it is a ${typeof body}`);
  return { payload: json, contentType: 'application/json' };
}

function tagOf(value: unknown): string {
  return Object.prototype.toString.call(value).slice('[object '.length, -1);
}
