import type { HttpResponse } from '@nangohq/action';
import { WorkerError } from '../errors';

/** How much of a body to read, and how to name the request when it is more. */
export interface BodyLimit {
  maxBytes: number;
  /** The message of the error past the limit: names the request as describeRequest does, never a secret. */
  describe: () => string;
}

/**
 * What an action gets back: status, headers (repeated ones joined with `, `) and the body, parsed when it is
 * JSON (`application/json` or `+json`) and valid, text otherwise, `''` for HEAD, 204 and 304. Plain JSON, so it
 * crosses into the action's realm and onto the wire as it is.
 *
 * Also `data`, the body as text, and `json`, the body parsed as JSON whatever the content type (undefined when it
 * does not parse): the 2022 product's response had both, and its action files read them.
 *
 * The body is read chunk by chunk and never past `limit.maxBytes` (decoded bytes, so a compressed bomb counts at
 * its real size): a larger one, announced by Content-Length or found while reading, is cancelled unread.
 * @throws WorkerError `http_response_too_large`
 */
export async function toHttpResponse(method: string, response: Response, limit: BodyLimit): Promise<HttpResponse> {
  const headers = new Map<string, string>();
  for (const [name, value] of response.headers) {
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  let text = '';
  if (method === 'HEAD' || response.status === 204 || response.status === 304) {
    await response.body?.cancel();
  } else {
    text = await readText(response, limit);
  }
  const json = parseAnyJson(text);
  // Parsed once: for a JSON response `body` and `json` are the same value.
  const body = json !== undefined && isJsonType(headers.get('content-type')) ? json : text;
  const { ok, status, statusText } = response;
  // fromEntries defines own properties, so a `__proto__` response header stays a plain key.
  return { ok, status, statusText, headers: Object.fromEntries(headers), body, data: text, json };
}

async function readText(response: Response, limit: BodyLimit): Promise<string> {
  const tooLarge = () => new WorkerError('http_response_too_large', limit.describe());
  const declared = Number(response.headers.get('content-length') ?? NaN);
  // Content-Length counts encoded bytes; only an identity body's can be trusted to be the decoded size.
  if (declared > limit.maxBytes && !response.headers.has('content-encoding')) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    total += read.value.byteLength;
    if (total > limit.maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(read.value);
  }
  // As response.text() does: UTF-8, a BOM dropped, bad bytes replaced.
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/** The 2022 product's `json`: whatever JSON.parse makes of the text, or undefined. */
function parseAnyJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isJsonType(contentType: string | undefined): boolean {
  const mime = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return mime === 'application/json' || mime.endsWith('+json');
}
