/**
 * @nangohq/frontend: starts OAuth flows on a Nango server from the browser.
 *
 *   import Nango from '@nangohq/frontend'; // or, from the server itself: import Nango from 'http://localhost:3003/sdk/frontend.js'
 *   const nango = new Nango('http://localhost:3003');
 *   const { providerConfigKey, connectionId } = await nango.auth('github', 'user-1');
 *
 * `auth()` opens a popup at once (so popup blockers let it through), connects a WebSocket to the server's root,
 * and once the server acknowledges it sends the popup to `/oauth/connect/<key>?connection_id=…&ws_client_id=…`.
 * The result comes back as a WebSocket frame; the callback page's postMessage (from the server's origin only) is
 * read as well, so a flow still ends if the socket could not be opened. Closing the popup rejects with
 * `authorization_cancelled`.
 */

/** How long auth() waits after the popup closed for a result already on its way (the page closes itself). */
const CLOSED_GRACE_MS = 1_000;
const POLL_MS = 250;
const POPUP_WIDTH = 500;
const POPUP_HEIGHT = 600;

/** What `new Nango({ … })` takes. */
export interface NangoOptions {
  /** The Nango server, e.g. `http://localhost:3003`. */
  host: string;
  /** The server's NANGO_PUBLIC_KEY, when it sets one. */
  publicKey?: string;
}

/** Options of one auth() call, as in spec 3 and the official frontends. */
export interface AuthOptions {
  /** The Connection's config, e.g. `{ subdomain: 'acme' }` for a per-tenant provider. */
  params?: Record<string, string>;
  /** hex HMAC-SHA256 of `<providerConfigKey>:<connectionId>`, when the server sets NANGO_HMAC_KEY. */
  hmac?: string;
  /** User-token scopes (Slack's `user_scope`). */
  user_scope?: string[];
  /** Extra authorize-URL params; `undefined` removes one the provider's defaults would add. */
  authorization_params?: Record<string, string | undefined>;
}

/** What auth() resolves with. */
export interface AuthResult {
  providerConfigKey: string;
  connectionId: string;
}

/** What auth() rejects with: `error.type` is one of the server's error types, or `authorization_cancelled`. */
export interface AuthError {
  providerConfigKey: string;
  connectionId: string;
  error: { type: string; message: string };
}

/** The client: one per server. */
export class Nango {
  readonly host: string;
  readonly publicKey: string | undefined;

  constructor(hostOrOptions: string | NangoOptions) {
    const options = typeof hostOrOptions === 'string' ? { host: hostOrOptions } : hostOrOptions;
    if (!options || typeof options.host !== 'string' || !/^https?:\/\//.test(options.host)) {
      throw new TypeError("new Nango(host): host must be the server's http:// or https:// URL, e.g. 'http://localhost:3003'");
    }
    this.host = options.host.replace(/\/+$/, '');
    this.publicKey = options.publicKey;
  }

  /**
   * Runs one OAuth flow in a popup and resolves once the server has stored the Connection.
   * Rejects with `{ providerConfigKey, connectionId, error: { type, message } }`.
   */
  auth(providerConfigKey: string, connectionId: string, options: AuthOptions = {}): Promise<AuthResult> {
    const fail = (type: string, message: string): Promise<never> =>
      Promise.reject<never>({ providerConfigKey, connectionId, error: { type, message } } satisfies AuthError);
    if (!providerConfigKey) return fail('no_provider_config_key', 'auth() needs a provider config key');
    if (!connectionId) return fail('missing_connection_id', 'auth() needs a connection id');
    const popup = window.open('', '_blank', popupFeatures());
    if (!popup) return fail('blocked_by_browser', 'The browser blocked the popup: call auth() from a click handler');
    return new Promise<AuthResult>((resolve, reject) => {
      let settled = false;
      let socket: WebSocket | undefined;
      const cleanUp = (): void => {
        settled = true;
        window.clearInterval(poll);
        window.removeEventListener('message', onMessage);
        if (socket && socket.readyState <= 1) socket.close();
      };
      const succeed = (): void => {
        if (settled) return;
        cleanUp();
        resolve({ providerConfigKey, connectionId });
      };
      const failWith = (type: string, message: string): void => {
        if (settled) return;
        cleanUp();
        reject({ providerConfigKey, connectionId, error: { type, message } } satisfies AuthError);
      };
      const onMessage = (event: MessageEvent): void => {
        if (event.origin !== new URL(this.host).origin) return;
        const data = event.data as { eventType?: string; data?: { error?: { type?: string; message?: string } } } | null;
        if (data?.eventType === 'AUTHORIZATION_SUCEEDED') succeed();
        else if (data?.eventType === 'AUTHORIZATION_FAILED') {
          failWith(data.data?.error?.type ?? 'unknown_err', data.data?.error?.message ?? 'The authorization failed');
        }
      };
      window.addEventListener('message', onMessage);
      let closedAt: number | undefined;
      const poll = window.setInterval(() => {
        if (!popup.closed) return;
        closedAt ??= Date.now();
        if (Date.now() - closedAt >= CLOSED_GRACE_MS)
          failWith('authorization_cancelled', 'The authorization window was closed before the flow finished');
      }, POLL_MS);

      const url = this.connectUrl(providerConfigKey, connectionId, options);
      let navigated = false;
      const navigate = (to: string): void => {
        if (navigated || settled) return;
        navigated = true;
        popup.location.href = to;
      };
      try {
        socket = new WebSocket(this.host.replace(/^http/, 'ws') + '/');
      } catch {
        navigate(url); // no WebSocket: the callback page's message ends the flow
        return;
      }
      socket.onmessage = (event: MessageEvent) => {
        let frame: Record<string, unknown>;
        try {
          frame = JSON.parse(String(event.data)) as Record<string, unknown>;
        } catch {
          return;
        }
        if (frame['message_type'] === 'connection_ack' && typeof frame['ws_client_id'] === 'string') {
          navigate(`${url}&ws_client_id=${encodeURIComponent(frame['ws_client_id'])}`);
        } else if (frame['message_type'] === 'success') {
          succeed();
        } else if (frame['message_type'] === 'error') {
          failWith(String(frame['error_type'] ?? 'unknown_err'), String(frame['error_desc'] ?? 'The authorization failed'));
        }
      };
      socket.onerror = () => {
        // The socket could not open (a proxy refusing upgrades, say): go on without it.
        navigate(url);
      };
    });
  }

  /** The /oauth/connect URL of a flow, every value encoded. */
  private connectUrl(providerConfigKey: string, connectionId: string, options: AuthOptions): string {
    const query: [string, string][] = [['connection_id', connectionId]];
    if (this.publicKey) query.push(['public_key', this.publicKey]);
    for (const [name, value] of Object.entries(options.params ?? {})) query.push([`params[${name}]`, value]);
    if (options.hmac) query.push(['hmac', options.hmac]);
    if (options.user_scope && options.user_scope.length > 0) query.push(['user_scope', options.user_scope.join(',')]);
    for (const [name, value] of Object.entries(options.authorization_params ?? {})) {
      query.push([`authorization_params[${name}]`, value === undefined ? 'undefined' : value]);
    }
    const search = query.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&');
    return `${this.host}/oauth/connect/${encodeURIComponent(providerConfigKey)}?${search}`;
  }
}

/** A centred popup of the official frontends' size. */
function popupFeatures(): string {
  const left = Math.max(0, Math.round(window.screenX + (window.outerWidth - POPUP_WIDTH) / 2));
  const top = Math.max(0, Math.round(window.screenY + (window.outerHeight - POPUP_HEIGHT) / 2));
  return `width=${POPUP_WIDTH},height=${POPUP_HEIGHT},left=${left},top=${top}`;
}

export default Nango;
