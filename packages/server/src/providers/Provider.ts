/**
 * One entry of the providers catalog (`providers.yaml`): how a third-party API does OAuth and where its API
 * lives. Field names are those of Nango's own providers.yaml (contract D.7), so a user can point
 * NANGO_PROVIDERS_FILE at a bigger catalog of that format. Templated strings use `${connectionConfig.<name>}`
 * for per-Connection values (a tenant subdomain, say).
 *
 * Interface written first; the catalog loader (loadProviderCatalog.ts) and providers.yaml implement it.
 */
export interface Provider {
  /** The catalog key, e.g. `github`. */
  readonly name: string;
  readonly display_name?: string;
  /** OAUTH2 | OAUTH1 | API_KEY | BASIC | … as the catalog says; unknown modes are kept as written. */
  readonly auth_mode: string;
  /** Another provider this one inherits every unset field from. */
  readonly alias?: string;
  readonly docs?: string;
  readonly categories?: readonly string[];

  // OAuth 2 and OAuth 1.0a
  readonly authorization_url?: string;
  readonly token_url?: string;
  /**
   * The token URL per auth mode, where the catalog gives one per mode (`github-app-oauth`: `OAUTH2`, the user's
   * OAuth flow, and `APP`, its installations'); `token_url` is then the entry's own mode's (CUSTOM: OAUTH2's).
   */
  readonly token_urls?: Readonly<Record<string, string>>;
  readonly refresh_url?: string;
  /** Where to revoke a token when its Connection is deleted, if the provider has such an endpoint. */
  readonly revocation_url?: string;
  /** How to call revocation_url, where it differs from RFC 7009's form POST (see ProviderRevocation). */
  readonly revocation?: ProviderRevocation;
  readonly authorization_params?: Readonly<Record<string, string>>;
  readonly token_params?: Readonly<Record<string, string>>;
  readonly refresh_params?: Readonly<Record<string, string>>;
  /** Default ' '. */
  readonly scope_separator?: string;
  readonly default_scopes?: readonly string[];
  readonly disable_pkce?: boolean;
  /** How client credentials reach the token URL: `body` (default) or `header` (Basic). */
  readonly authorization_method?: 'body' | 'header';
  /**
   * Token request encoding: `form` (default) or `json`. Nango's own catalog has a few other values (`query`, `xml`)
   * that the loader keeps as written: treat anything else as unsupported.
   */
  readonly body_format?: 'form' | 'json' | (string & {});
  /** The callback's query parameter that carries the code, where the provider does not call it `code` (Amazon's `spapi_oauth_code`). */
  readonly authorization_code_param_in_callback?: string;
  /**
   * Token-response fields copied into the Connection's config, e.g. Salesforce `instance_url`; a dotted name
   * (`team.id`) reads a nested field and is kept under that name.
   */
  readonly token_response_metadata?: readonly string[];
  /** Query parameters of the OAuth callback copied into the Connection's config, e.g. QuickBooks' `realmId`. */
  readonly redirect_uri_metadata?: readonly string[];

  // OAUTH2_CC
  /** How an OAUTH2_CC client proves who it is: `basic`, `private_key_jwt` (RFC 7523), else its id and secret in the body. */
  readonly token_request_auth_method?: 'basic' | 'private_key_jwt' | (string & {});
  /** Headers added to the token request. */
  readonly token_headers?: Readonly<Record<string, string>>;
  /** The unit of the token response's `expires_in`: seconds (the default, RFC 6749's) or `milliseconds`. */
  readonly expires_in_unit?: 'seconds' | 'milliseconds' | (string & {});

  // MCP_OAUTH2 only
  /**
   * How the flow gets its OAuth client: `dynamic` registers one at registration_url (RFC 7591) and reuses it for
   * every Connection of the integration; `static` uses the integration's own client, as OAUTH2 does. Default: static.
   * (Nango's `cimd`, client ID metadata documents, is not run here.)
   */
  readonly client_registration?: 'dynamic' | 'static' | (string & {});
  readonly registration_url?: string;
  /** Fields sent in the registration request over ours (`grant_types`, `response_types`, …). */
  readonly registration_params?: Readonly<Record<string, unknown>>;

  // OAuth 1.0a only
  readonly request_url?: string;
  readonly request_params?: Readonly<Record<string, string>>;
  readonly request_http_method?: string;
  readonly token_http_method?: string;
  readonly signature_method?: string;

  /** The provider's guide to connecting an account; its anchors are the fields' `doc_section`s. */
  readonly docs_connect?: string;
  /**
   * Per-Connection inputs the user provides (e.g. `subdomain`), each described by title, description, pattern,
   * example, prefix/suffix, format, optional, automated, order, doc_section (see providers/fieldDescriptions.ts).
   */
  readonly connection_config?: Readonly<Record<string, unknown>>;
  /** The credential fields a user types for the static modes (API key, basic, …), described as connection_config's. */
  readonly credentials?: Readonly<Record<string, unknown>>;
  /**
   * Requests made once a Connection is made, whose answers fill its config (a cloud or tenant id): see
   * operations/postConnection.ts for the format.
   */
  readonly post_connection?: unknown;
  /**
   * Nango's name for how the provider's webhooks are checked and routed (`githubAppWebhookRouting`, …): the ones
   * providerWebhooks/webhookRoutes.ts implements are used, the others fall back to the integration's generic settings.
   */
  readonly webhook_routing_script?: string;
  /** Whether the user gives the webhook secret (Slack's signing secret, say), rather than the provider's OAuth client. */
  readonly webhook_user_defined_secret?: boolean;
  /** How requests to the API are made: the base URL, headers and query params added to each. */
  readonly proxy?: {
    readonly base_url?: string;
    readonly headers?: Readonly<Record<string, string>>;
    readonly query?: Readonly<Record<string, string>>;
    readonly retry?: Readonly<Record<string, unknown>>;
    readonly paginate?: Readonly<Record<string, unknown>>;
    /**
     * A cheap authenticated call that succeeds only with good credentials (`{ method?, endpoints, headers?, data?,
     * base_url_override? }`), tried when static credentials are given: see outbound/verifyCredentials.ts.
     */
    readonly verification?: Readonly<Record<string, unknown>>;
  };
}

/**
 * How a provider's revocation endpoint is called. Default: RFC 7009, a form POST of `token=<refresh token, or access
 * token when there is none>&token_type_hint=…`, the client authenticated as at the token URL (authorization_method).
 */
export interface ProviderRevocation {
  /** Default POST. */
  readonly method?: 'POST' | 'DELETE' | 'GET';
  /** The parameter the token goes in. Default `token`. */
  readonly token_param?: string;
  /** Which token to revoke. Default: the refresh token when the Connection has one, else the access token. */
  readonly token?: 'access_token' | 'refresh_token';
  /**
   * How the client authenticates: `client_basic` (HTTP Basic client id and secret), `client_body` (client_id and
   * client_secret fields), `none`, or `bearer` (the access token as `Authorization: Bearer`, and no body at all).
   * Default: as at the token URL, `client_basic` for authorization_method `header`, else `client_body`.
   */
  readonly auth?: 'client_basic' | 'client_body' | 'none' | 'bearer';
  /** `form` (default) or `json` (a JSON object body). */
  readonly body_format?: 'form' | 'json';
}

/** The loaded catalog: the repository's providers.yaml merged with the user's own file, aliases resolved. */
export interface ProviderCatalog {
  /** The provider, aliases resolved; undefined when the catalog has no such name. */
  get(name: string): Provider | undefined;
  /** Every provider, sorted by name. */
  list(): readonly Provider[];
}
