/** A failure the CLI reports in one plain sentence, without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    /** The process exit code: 1 for a refused or failed request, 2 for a usage mistake. */
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Where the server is and how to authenticate, from NANGO_HOSTPORT and NANGO_SECRET_KEY. */
export interface ClientSettings {
  /** Default: http://localhost:3003 */
  readonly host: string;
  readonly secretKey: string | undefined;
}

export function clientSettings(env: NodeJS.ProcessEnv): ClientSettings {
  const host = (env['NANGO_HOSTPORT'] || 'http://localhost:3003').replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/.test(host)) throw new CliError(`NANGO_HOSTPORT must be an http:// or https:// URL, got '${host}'`, 2);
  return { host, secretKey: env['NANGO_SECRET_KEY'] || undefined };
}

/** Time limit of one request to the server. */
const TIMEOUT_MS = 15_000;

/**
 * One JSON request to the server. The secret key goes as a Bearer token. Every failure becomes a CliError that says
 * what happened: the server is unreachable, refused the key, or answered an error (its message is quoted).
 * @returns the reply's JSON body
 */
export async function request(settings: ClientSettings, method: string, path: string, body?: unknown): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (settings.secretKey) headers['authorization'] = `Bearer ${settings.secretKey}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${settings.host}${path}`, {
      method,
      headers,
      ...(body !== undefined && { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw unreachable(settings, error);
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    throw new CliError(
      `${settings.host} answered HTTP ${response.status} with something that is not JSON: is NANGO_HOSTPORT a Nango server?`,
    );
  }
  if (response.ok) return json;
  const error = (json as { error?: { code?: unknown; message?: unknown } | string } | undefined)?.error;
  const message =
    typeof error === 'string' ? error : typeof error?.message === 'string' ? error.message : `HTTP ${response.status}`;
  if (response.status === 401) {
    throw new CliError(`The server refused the request: ${message}. Set NANGO_SECRET_KEY to the server's secret key.`);
  }
  throw new CliError(message);
}

/** The CliError for a request that got no answer: names the server's URL and why. */
export function unreachable(settings: ClientSettings, error: unknown): CliError {
  return new CliError(
    `Cannot reach the Nango server at ${settings.host} (${reason(error)}). Is it running? Set NANGO_HOSTPORT if it runs elsewhere.`,
  );
}

function reason(error: unknown): string {
  const name = (error as { name?: unknown }).name;
  if (name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000} s`;
  const cause = (error as { cause?: { code?: unknown; errors?: { code?: unknown }[]; message?: unknown } }).cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  if (typeof code === 'string') return code;
  return typeof cause?.message === 'string' ? cause.message : 'network error';
}
