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
 *
 * With a connect session (made by the app's backend with POST /connect/sessions):
 *
 *   const nango = new Nango({ host: 'http://localhost:3003', connectSessionToken });
 *   const { connectionId } = await nango.auth('github'); // the server chooses the connection id
 *   nango.openConnectUI({ onEvent: (event) => console.log(event.type) }); // the server's Connect page, in an iframe
 */

import { paramsProblems, type ConnectionField } from './connectionFields.js';
import { credentialRoute, type Credentials } from './credentialRoutes.js';

export type { ConnectionField } from './connectionFields.js';
export type { Credentials } from './credentialRoutes.js';

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
  /**
   * A connect session token (`nango_connect_session_…`, from POST /connect/sessions on the app's backend). auth()
   * then takes no connection id: the server generates it, and the session says which integrations are allowed.
   */
  connectSessionToken?: string;
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
  /**
   * Non-OAuth credentials, in the shape of their auth mode (contract B.4): `{ apiKey }`, `{ username, password }`,
   * `{ client_id, client_secret }` (OAuth 2 client credentials), `{ type: 'TWO_STEP', … }`, `{ type: 'JWT', … }`,
   * `{ token_id, token_secret }` (TBA), `{ type: 'SIGNATURE', username, password }`, `{ type: 'AWS_SIGV4', role_arn,
   * region? }`, `{ username, password, organization_id, dev_key }` (Bill). No popup: they are posted to the mode's
   * route (/api-auth/…, /auth/…, /oauth2/auth/…).
   */
  credentials?: Credentials;
}

/** What auth() resolves with. */
export interface AuthResult {
  providerConfigKey: string;
  /** The Connection's id: the one given, or the one the server generated for a connect session. */
  connectionId: string;
  /** Always false here (the official frontend's field). */
  isPending?: boolean;
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
  connectSessionToken: string | undefined;

  constructor(hostOrOptions: string | NangoOptions) {
    const options = typeof hostOrOptions === 'string' ? { host: hostOrOptions } : hostOrOptions;
    if (!options || typeof options.host !== 'string' || !/^https?:\/\//.test(options.host)) {
      throw new TypeError("new Nango(host): host must be the server's http:// or https:// URL, e.g. 'http://localhost:3003'");
    }
    this.host = options.host.replace(/\/+$/, '');
    this.publicKey = options.publicKey;
    this.connectSessionToken = options.connectSessionToken;
  }

  /**
   * Runs one OAuth flow in a popup and resolves once the server has stored the Connection (or, with
   * `options.credentials`, posts them to their mode's route). With a connect session token, call it without a
   * connection id: `auth(providerConfigKey, options?)`; `options.params` are then checked against the integration's
   * per-tenant fields before the popup goes anywhere (rejecting with `invalid_connection_config`).
   * Rejects with `{ providerConfigKey, connectionId, error: { type, message } }`.
   */
  auth(
    providerConfigKey: string,
    connectionIdOrOptions?: string | AuthOptions,
    maybeOptions: AuthOptions = {},
  ): Promise<AuthResult> {
    const connectionId = typeof connectionIdOrOptions === 'string' ? connectionIdOrOptions : '';
    const options = typeof connectionIdOrOptions === 'object' ? connectionIdOrOptions : maybeOptions;
    const fail = (type: string, message: string): Promise<never> =>
      Promise.reject<never>({ providerConfigKey, connectionId, error: { type, message } } satisfies AuthError);
    if (!providerConfigKey) return fail('no_provider_config_key', 'auth() needs a provider config key');
    if (this.connectSessionToken && connectionId)
      return fail('invalid_query_params', 'With a connect session token, auth() takes no connection id: the server chooses it');
    if (!this.connectSessionToken && !connectionId) return fail('missing_connection_id', 'auth() needs a connection id');
    if (options.credentials) return this.credentialAuth(providerConfigKey, connectionId, options);
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
      const succeed = (generatedId?: unknown): void => {
        if (settled) return;
        cleanUp();
        const id = typeof generatedId === 'string' && generatedId ? generatedId : connectionId;
        resolve({ providerConfigKey, connectionId: id, isPending: false });
      };
      const failWith = (type: string, message: string): void => {
        if (settled) return;
        cleanUp();
        reject({ providerConfigKey, connectionId, error: { type, message } } satisfies AuthError);
      };
      const onMessage = (event: MessageEvent): void => {
        if (event.origin !== new URL(this.host).origin) return;
        const data = event.data as {
          eventType?: string;
          data?: { connectionId?: string; error?: { type?: string; message?: string } };
        } | null;
        if (data?.eventType === 'AUTHORIZATION_SUCEEDED') succeed(data.data?.connectionId);
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
      const begin = (): void => {
        try {
          socket = new WebSocket(this.host.replace(/^http/, 'ws') + '/');
        } catch {
          navigate(url); // no WebSocket: the callback page's message ends the flow
          return;
        }
        listen(socket);
      };
      const listen = (socket: WebSocket): void => {
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
            succeed(frame['connection_id']);
          } else if (frame['message_type'] === 'error') {
            failWith(String(frame['error_type'] ?? 'unknown_err'), String(frame['error_desc'] ?? 'The authorization failed'));
          }
        };
        socket.onerror = () => {
          // The socket could not open (a proxy refusing upgrades, say): go on without it.
          navigate(url);
        };
      };
      // With a connect session, the params are checked against the integration's fields before the popup goes
      // anywhere; without one (a public key) the server's own check, at /oauth/connect, is the first.
      void this.paramsRefusal(providerConfigKey, options.params ?? {}).then((refusal) => {
        if (settled) return;
        if (refusal === undefined) return begin();
        popup.close();
        failWith('invalid_connection_config', refusal);
      });
    });
  }

  /**
   * Makes a Connection for an integration that needs no credentials (auth mode NONE): one POST to
   * /auth/unauthenticated, no popup. With a connect session token, call it without a connection id.
   * Rejects as auth() does.
   */
  async create(
    providerConfigKey: string,
    connectionIdOrOptions?: string | AuthOptions,
    maybeOptions: AuthOptions = {},
  ): Promise<AuthResult> {
    const connectionId = typeof connectionIdOrOptions === 'string' ? connectionIdOrOptions : '';
    const options = typeof connectionIdOrOptions === 'object' ? connectionIdOrOptions : maybeOptions;
    return this.post(providerConfigKey, connectionId, options, '/auth/unauthenticated/', undefined);
  }

  /**
   * What is wrong with `params` for the integration's per-tenant fields, as the server would say it; undefined when
   * nothing is, or when the fields cannot be read (no connect session, an older server): the server checks anyway.
   */
  private async paramsRefusal(providerConfigKey: string, params: Record<string, string>): Promise<string | undefined> {
    if (!this.connectSessionToken) return undefined;
    let fields: ConnectionField[] | undefined;
    let name = providerConfigKey;
    try {
      const response = await fetch(`${this.host}/connect/session/integrations`, {
        headers: { authorization: `Bearer ${this.connectSessionToken}` },
      });
      if (!response.ok) return undefined;
      const body = (await response.json()) as {
        data?: { unique_key: string; display_name?: string; connection_config?: ConnectionField[] }[];
      };
      const integration = body.data?.find((item) => item.unique_key === providerConfigKey);
      fields = integration?.connection_config;
      name = integration?.display_name ?? name;
    } catch {
      return undefined;
    }
    const problems = paramsProblems(fields ?? [], params);
    return problems.length === 0 ? undefined : `The connection config for ${name} is not valid: ${problems.join('; ')}`;
  }

  /**
   * Re-authorises the Connection of a reconnect session (POST /connect/sessions/reconnect): auth() without a
   * connection id. Rejects with `missing_connect_session_token` when no session token is set.
   */
  reconnect(providerConfigKey: string, options: AuthOptions = {}): Promise<AuthResult> {
    if (!this.connectSessionToken) {
      const error = { type: 'missing_connect_session_token', message: 'reconnect() needs a connectSessionToken' };
      return Promise.reject<never>({ providerConfigKey, connectionId: '', error } satisfies AuthError);
    }
    return this.auth(providerConfigKey, options);
  }

  /**
   * Opens the server's Connect page in a full-screen iframe (contract B.6): it lists the session's integrations and
   * connects one. Only messages from `baseURL`'s origin are read; the page's `ready` is answered with the session
   * token, its `close` removes the iframe, and every event (`ready`, `connect`, `error`, `close`) goes to `onEvent`.
   */
  openConnectUI(options: ConnectUIOptions = {}): ConnectUI {
    const ui = new ConnectUI({
      ...options,
      sessionToken: options.sessionToken ?? this.connectSessionToken,
      baseURL: options.baseURL ?? `${this.host}/connect`,
      apiURL: options.apiURL ?? this.host,
    });
    ui.open();
    return ui;
  }

  /** auth() with non-OAuth credentials: one POST to the mode's route (contract B.4), no popup. */
  private async credentialAuth(providerConfigKey: string, connectionId: string, options: AuthOptions): Promise<AuthResult> {
    const target = credentialRoute((options.credentials ?? {}) as Record<string, unknown>);
    if (!target) {
      const error = { type: 'missing_credentials', message: 'These credentials fit no auth mode: see AuthOptions.credentials' };
      throw { providerConfigKey, connectionId, error } satisfies AuthError;
    }
    return this.post(providerConfigKey, connectionId, options, target.route, target.body);
  }

  /** One POST of a connect route; its `{ connectionId }` or `{ error: { code, message } }`, as auth() resolves or rejects. */
  private async post(
    providerConfigKey: string,
    connectionId: string,
    options: AuthOptions,
    route: string,
    body: Record<string, unknown> | undefined,
  ): Promise<AuthResult> {
    const fail = (type: string, message: string): AuthError => ({ providerConfigKey, connectionId, error: { type, message } });
    if (this.connectSessionToken && connectionId)
      throw fail('invalid_query_params', 'With a connect session token, the server chooses the connection id: give none');
    const url = `${this.host}${route}${encodeURIComponent(providerConfigKey)}?${this.connectQuery(connectionId, options)}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        ...(body && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw fail('unknown_err', `The server could not be reached: ${String(error)}`);
    }
    const reply = (await response.json().catch(() => ({}))) as {
      connectionId?: string;
      error?: { code?: string; message?: string };
    };
    if (!response.ok) throw fail(reply.error?.code ?? 'unknown_err', reply.error?.message ?? `HTTP ${response.status}`);
    return { providerConfigKey, connectionId: reply.connectionId ?? connectionId, isPending: false };
  }

  /** The /oauth/connect URL of a flow, every value encoded. */
  private connectUrl(providerConfigKey: string, connectionId: string, options: AuthOptions): string {
    return `${this.host}/oauth/connect/${encodeURIComponent(providerConfigKey)}?${this.connectQuery(connectionId, options)}`;
  }

  /** The query of /oauth/connect and /api-auth: who the Connection is for and the flow's options, every value encoded. */
  private connectQuery(connectionId: string, options: AuthOptions): string {
    const query: [string, string][] = [];
    if (connectionId) query.push(['connection_id', connectionId]);
    if (this.publicKey) query.push(['public_key', this.publicKey]);
    if (this.connectSessionToken) query.push(['connect_session_token', this.connectSessionToken]);
    for (const [name, value] of Object.entries(options.params ?? {})) query.push([`params[${name}]`, value]);
    if (options.hmac) query.push(['hmac', options.hmac]);
    if (options.user_scope && options.user_scope.length > 0) query.push(['user_scope', options.user_scope.join(',')]);
    for (const [name, value] of Object.entries(options.authorization_params ?? {})) {
      query.push([`authorization_params[${name}]`, value === undefined ? 'undefined' : value]);
    }
    return query.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&');
  }
}

/** An event of the Connect page (contract B.6), as onEvent receives it. */
export type ConnectUIEvent =
  | { type: 'ready' }
  | { type: 'close' }
  | { type: 'connect'; payload: { providerConfigKey: string; connectionId: string; isPending: boolean } }
  | { type: 'error'; payload: { errorType: string; errorMessage: string } }
  | { type: 'settings_changed'; payload: unknown };

/** What openConnectUI() takes (the official frontend's options; `lang` and `themeOverride` are not used). */
export interface ConnectUIOptions {
  /** Default: the client's connectSessionToken; may also be set later with setSessionToken(). */
  sessionToken?: string | undefined;
  /** Where the Connect page is. Default: `<host>/connect`. */
  baseURL?: string;
  /** The API the page talks to, passed to it as `?apiURL=`. Default: the client's host. */
  apiURL?: string;
  onEvent?: (event: ConnectUIEvent) => void;
  /** Report a closed sign-in window sooner. */
  detectClosedAuthWindow?: boolean;
}

/** The Connect page in a full-screen iframe; see Nango.openConnectUI(). */
export class ConnectUI {
  private iframe: HTMLIFrameElement | undefined;
  private listener: ((event: MessageEvent) => void) | undefined;
  private ready = false;
  private sessionToken: string | undefined;
  private readonly base: URL;

  constructor(private readonly options: ConnectUIOptions & { baseURL: string }) {
    this.sessionToken = options.sessionToken;
    this.base = new URL(options.baseURL);
  }

  /** Appends the iframe (once) and starts listening to it. */
  open(): void {
    if (this.iframe?.isConnected) return;
    this.close();
    const src = new URL(this.base.href);
    if (this.options.apiURL) src.searchParams.set('apiURL', this.options.apiURL);
    if (this.options.detectClosedAuthWindow) src.searchParams.set('detectClosedAuthWindow', 'true');
    const iframe = document.createElement('iframe');
    iframe.src = src.href;
    iframe.id = 'connect-ui';
    iframe.title = 'Connect an account';
    Object.assign(iframe.style, {
      position: 'fixed',
      inset: '0',
      width: '100vw',
      height: '100vh',
      border: 'none',
      zIndex: '9999',
      backgroundColor: 'transparent',
    });
    this.listener = (event: MessageEvent) => this.onMessage(event);
    window.addEventListener('message', this.listener);
    document.body.append(iframe);
    document.body.style.overflow = 'hidden';
    this.iframe = iframe;
  }

  /** Gives the page a (new) session token; sent at once if the page is ready. */
  setSessionToken(sessionToken: string): void {
    this.sessionToken = sessionToken;
    if (this.ready) this.sendToken();
  }

  /** Removes the iframe and stops listening. */
  close(): void {
    if (this.listener) window.removeEventListener('message', this.listener);
    this.listener = undefined;
    if (this.iframe) {
      this.iframe.remove();
      document.body.style.overflow = '';
    }
    this.iframe = undefined;
    this.ready = false;
  }

  private onMessage(event: MessageEvent): void {
    if (event.origin !== this.base.origin || event.source !== this.iframe?.contentWindow) return;
    const data = event.data as ConnectUIEvent | null;
    if (!data || typeof data !== 'object' || typeof data.type !== 'string') return;
    if (data.type === 'ready') {
      this.ready = true;
      this.sendToken();
    }
    if (data.type === 'close') this.close();
    this.options.onEvent?.(data);
  }

  private sendToken(): void {
    if (!this.sessionToken) return;
    this.iframe?.contentWindow?.postMessage({ type: 'session_token', sessionToken: this.sessionToken }, this.base.origin);
  }
}

/** A centred popup of the official frontends' size. */
function popupFeatures(): string {
  const left = Math.max(0, Math.round(window.screenX + (window.outerWidth - POPUP_WIDTH) / 2));
  const top = Math.max(0, Math.round(window.screenY + (window.outerHeight - POPUP_HEIGHT) / 2));
  return `width=${POPUP_WIDTH},height=${POPUP_HEIGHT},left=${left},top=${top}`;
}

export default Nango;
