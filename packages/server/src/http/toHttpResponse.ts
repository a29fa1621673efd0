import type { HttpResponse } from '@nangohq/action';

/**
 * What an action gets back: status, headers (repeated ones joined with `, `) and the body, parsed when it is
 * JSON (`application/json` or `+json`) and valid, text otherwise, `''` for HEAD, 204 and 304. Plain JSON, so it
 * crosses into the action's realm and onto the wire as it is.
 *
 * Also `data`, the body as text, and `json`, the body parsed as JSON whatever the content type (undefined when it
 * does not parse): the 2022 product's response had both, and its action files read them.
 */
export async function toHttpResponse(method: string, response: Response): Promise<HttpResponse> {
  const headers = new Map<string, string>();
  for (const [name, value] of response.headers) {
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  let text = '';
  if (method === 'HEAD' || response.status === 204 || response.status === 304) {
    await response.body?.cancel();
  } else {
    text = await response.text();
  }
  const json = parseAnyJson(text);
  // Parsed once: for a JSON response `body` and `json` are the same value.
  const body = json !== undefined && isJsonType(headers.get('content-type')) ? json : text;
  const { ok, status, statusText } = response;
  // fromEntries defines own properties, so a `__proto__` response header stays a plain key.
  return { ok, status, statusText, headers: Object.fromEntries(headers), body, data: text, json };
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
