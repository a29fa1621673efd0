import type { HttpResponse } from '@nangohq/action';

/**
 * What an action gets back: status, headers (repeated ones joined with `, `) and the body, parsed when it is
 * JSON (`application/json` or `+json`) and valid, text otherwise, `''` for HEAD, 204 and 304. Plain JSON, so it
 * crosses into the action's realm and onto the wire as it is.
 */
export async function toHttpResponse(method: string, response: Response): Promise<HttpResponse> {
  const headers = new Map<string, string>();
  for (const [name, value] of response.headers) {
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  let body: unknown = '';
  if (method === 'HEAD' || response.status === 204 || response.status === 304) {
    await response.body?.cancel();
  } else {
    body = parseBody(await response.text(), headers.get('content-type'));
  }
  const { ok, status, statusText } = response;
  // fromEntries defines own properties, so a `__proto__` response header stays a plain key.
  return { ok, status, statusText, headers: Object.fromEntries(headers), body };
}

function parseBody(text: string, contentType: string | undefined): unknown {
  const mime = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (text === '' || (mime !== 'application/json' && !mime.endsWith('+json'))) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
