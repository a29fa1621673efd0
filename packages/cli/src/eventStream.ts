import { CliError, type ClientSettings } from './ApiClient';

/** One Server-Sent Event. */
export interface ServerEvent {
  readonly event: string;
  readonly data: string;
}

/**
 * Reads a Server-Sent Events stream of the server until it ends (or `signal` aborts): `onOpen` once the server
 * accepted it, then each event to `onEvent` as it arrives. The secret key goes as a Bearer token; no time limit, the stream lasts as long as the user wants.
 * @throws CliError when the server is unreachable or refuses the request (its message quoted)
 */
export async function readEvents(
  settings: ClientSettings,
  path: string,
  onEvent: (event: ServerEvent) => void,
  options: { onOpen?: () => void; signal?: AbortSignal } = {},
): Promise<void> {
  const { onOpen, signal } = options;
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (settings.secretKey) headers['authorization'] = `Bearer ${settings.secretKey}`;
  let response: Response;
  try {
    response = await fetch(`${settings.host}${path}`, { headers, ...(signal && { signal }) });
  } catch (error) {
    if (signal?.aborted) return;
    const code = (error as { cause?: { code?: unknown } }).cause?.code;
    throw new CliError(
      `Cannot reach the Nango server at ${settings.host} (${typeof code === 'string' ? code : 'network error'}). Is it running?`,
    );
  }
  if (!response.ok || !response.body) {
    const text = await response.text();
    let message = `HTTP ${response.status}`;
    try {
      const error = (JSON.parse(text) as { error?: { message?: unknown } }).error;
      if (typeof error?.message === 'string') message = error.message;
    } catch {
      // not JSON: the status says it
    }
    const hint = response.status === 401 ? ". Set NANGO_SECRET_KEY to the server's secret key." : '';
    throw new CliError(`The server refused the request: ${message}${hint}`);
  }
  onOpen?.();
  let buffer = '';
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = parseBlock(block);
        if (event) onEvent(event);
      }
    }
  } catch (error) {
    if (signal?.aborted) return;
    throw new CliError(`The stream from ${settings.host} broke off (${(error as Error).message})`);
  }
}

/** One event block: `event:` and `data:` lines; comments (`: …`) and blocks without data are none. */
function parseBlock(block: string): ServerEvent | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  return data.length === 0 ? undefined : { event, data: data.join('\n') };
}
