import type { AuthMode } from '@nangohq/protocol';
import { holdsOAuthClient, modeOfCatalog, runsAuthMode } from '../config/authModeNames';
import { ConfigError, DEFAULTS, parseIntegrationsConfig } from '../config/loadIntegrationsConfig';
import type { IntegrationConfig, IntegrationsConfig } from '../config/types';
import type { Provider, ProviderCatalog } from '../providers/Provider';
import type { IntegrationStore, StoredIntegration } from '../store/IntegrationStore';

/** Where an integration is declared: integrations.yaml (read-only through the API) or the database. */
export type IntegrationSource = 'file' | 'api';

/** What the OAuth flow needs of an integration: its provider (catalog entry) and its OAuth client. */
export interface OAuthClientConfig {
  readonly providerConfigKey: string;
  readonly providerName: string;
  readonly provider: Provider;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scopes: readonly string[];
}

/**
 * Something added to the integrations operations see, read from elsewhere (the deployed syncs): refreshed on the
 * registry's tick, applied to every snapshot.
 */
export interface IntegrationsOverlay {
  /** Reads what it adds afresh. @throws WorkerError `storage_error` */
  refresh(): Promise<void>;
  /** The integrations with what it adds; the same object back for the same input while nothing changed. */
  apply(config: IntegrationsConfig): IntegrationsConfig;
}

/**
 * Every integration the worker knows: those of integrations.yaml and those made at run time through the API.
 * Handlers read a merged snapshot (synchronously, as they always have); the snapshot is rebuilt after every change
 * made through this process and every `refreshEveryMs` (changes made by another process sharing the database).
 * A key declared in the file hides a database row of the same name, which the API prevents anyway.
 */
export class IntegrationRegistry {
  private runtime = new Map<string, { stored: StoredIntegration; config: IntegrationConfig }>();
  private merged: IntegrationsConfig = { integrations: new Map() };
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param integrationsDir where a run-time integration's actions are found, as for integrations.yaml's: every
   *   `<integrationsDir>/<key>/<name>.action.ts`
   */
  constructor(
    private readonly fileConfig: () => IntegrationsConfig,
    readonly store: IntegrationStore,
    readonly catalog: ProviderCatalog,
    private readonly integrationsDir: string,
    /** Applied to every snapshot (the deployed syncs); refreshed with the database's integrations. */
    private readonly overlay?: IntegrationsOverlay,
  ) {}

  /** Loads the database's integrations, then keeps them fresh every `refreshEveryMs` until stop(). */
  async start(refreshEveryMs = 5_000): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), refreshEveryMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The merged integrations, as operations see them. */
  snapshot(): IntegrationsConfig {
    const merged = this.mergedSnapshot();
    return this.overlay ? this.overlay.apply(merged) : merged;
  }

  private mergedSnapshot(): IntegrationsConfig {
    const file = this.fileConfig();
    if (this.runtime.size === 0) return file;
    // Rebuilt only when the file config object changed (a reload) or refresh() ran.
    if (this.mergedFrom !== file) {
      const integrations = new Map<string, IntegrationConfig>();
      for (const [key, { config }] of this.runtime) integrations.set(key, config);
      for (const [key, config] of file.integrations) integrations.set(key, config);
      this.merged = { integrations };
      this.mergedFrom = file;
    }
    return this.merged;
  }

  private mergedFrom: IntegrationsConfig | undefined;

  /** Re-reads the database's integrations and the overlay. @throws WorkerError `storage_error` */
  async refresh(): Promise<void> {
    const rows = await this.store.list();
    const next = new Map<string, { stored: StoredIntegration; config: IntegrationConfig }>();
    for (const stored of rows) {
      const provider = this.catalog.get(stored.provider);
      if (!provider) continue;
      // Unchanged since the last read: keep the compiled config (this runs every few seconds).
      const previous = this.runtime.get(stored.uniqueKey);
      const unchanged = previous?.stored.updatedAt === stored.updatedAt && previous.stored.createdAt === stored.createdAt;
      next.set(stored.uniqueKey, unchanged && previous ? previous : { stored, config: this.compile(stored, provider) });
    }
    this.runtime = next;
    this.mergedFrom = undefined;
    // After the integrations: a failure to read the overlay leaves them fresh.
    await this.overlay?.refresh();
  }

  /** The integrations of integrations.yaml, as currently loaded. */
  fileIntegrations(): ReadonlyMap<string, IntegrationConfig> {
    return this.fileConfig().integrations;
  }

  /**
   * A run-time integration compiled exactly as `provider: <name>` with its oauth client in integrations.yaml would
   * be: the catalog's base URL, headers, token URL (templated per tenant) and client auth, and the actions found in
   * its folder. A provider the file format cannot take as it is (no base URL, say) gets a plain configuration that
   * serves tokens and refreshes, without actions.
   */
  private compile(stored: StoredIntegration, provider: Provider): IntegrationConfig {
    const scopes = stored.oauthScopes.split(',').filter(Boolean);
    const yaml = {
      integrations: {
        [stored.uniqueKey]: {
          provider: stored.provider,
          // An integration made through POST /integrations may have no OAuth client yet (or need none: API_KEY).
          ...(stored.oauthClientId !== '' && {
            oauth: {
              client_id: stored.oauthClientId,
              client_secret: stored.oauthClientSecret,
              scopes,
              ...(stored.extra.app_link !== undefined && { app_link: stored.extra.app_link }),
              ...(stored.extra.app_id !== undefined && { app_id: stored.extra.app_id }),
              ...(stored.appPrivateKey !== undefined && { app_private_key: stored.appPrivateKey }),
            },
          }),
          ...webhooksYaml(stored),
        },
      },
    };
    try {
      // JSON is YAML. No environment: `${NAME}` in a stored value stays text rather than reading the server's env.
      const compiled = parseIntegrationsConfig(JSON.stringify(yaml), {
        sourceName: `integration '${stored.uniqueKey}' (made through the API)`,
        integrationsDir: this.integrationsDir,
        env: {},
        providers: this.catalog,
      });
      const config = compiled.integrations.get(stored.uniqueKey);
      if (config) return config;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
    }
    return toIntegrationConfig(stored, provider);
  }

  /** Where `key` is declared, if anywhere. The database is read, not the snapshot. */
  async sourceOf(key: string): Promise<IntegrationSource | undefined> {
    if (this.fileConfig().integrations.has(key)) return 'file';
    return (await this.store.get(key)) ? 'api' : undefined;
  }

  /**
   * The OAuth client of integration `key`, read fresh from the database for a run-time one. Undefined when no
   * integration has that key; `problem` says why an integration that exists cannot run an OAuth flow.
   */
  async oauthClient(key: string): Promise<{ client?: OAuthClientConfig; problem?: string } | undefined> {
    const fromFile = this.fileConfig().integrations.get(key);
    if (fromFile) return fileOAuthClient(fromFile);
    const stored = await this.store.get(key);
    if (!stored) return undefined;
    const provider = this.catalog.get(stored.provider);
    if (!provider) return { problem: `its provider '${stored.provider}' is not in the providers catalog` };
    if (!registersItsClient(provider) && (stored.oauthClientId === '' || stored.oauthClientSecret === '')) {
      return { problem: 'it has no OAuth client yet (PATCH /integrations/:key with credentials sets one)' };
    }
    const scopes = stored.oauthScopes
      .split(',')
      .map((scope) => scope.trim())
      .filter(Boolean);
    return {
      client: {
        providerConfigKey: key,
        providerName: stored.provider,
        provider,
        clientId: stored.oauthClientId,
        clientSecret: stored.oauthClientSecret,
        scopes,
      },
    };
  }
}

/**
 * The OAuth client of an integrations.yaml integration. It needs the catalog entry its `provider:` names, which the
 * file loader resolves; an integration without one can still be used with tokens registered over RabbitMQ.
 */
function fileOAuthClient(integration: IntegrationConfig): { client?: OAuthClientConfig; problem?: string } {
  const { provider, oauth } = integration;
  if (!provider) return { problem: 'it names no provider in integrations.yaml (provider: <name>)' };
  if (registersItsClient(provider) && !oauth?.clientId) {
    const client = { clientId: '', clientSecret: '', scopes: oauth?.scopes ?? [] };
    return { client: { providerConfigKey: integration.name, providerName: provider.name, provider, ...client } };
  }
  if (!oauth?.clientId || !oauth.clientSecret) return { problem: 'it has no oauth.client_id and oauth.client_secret' };
  return {
    client: {
      providerConfigKey: integration.name,
      providerName: provider.name,
      provider,
      clientId: oauth.clientId,
      clientSecret: oauth.clientSecret,
      scopes: oauth.scopes ?? [],
    },
  };
}

/**
 * Whether the OAuth flow of a provider registers its own client (RFC 7591), so the integration needs none: MCP
 * OAuth, but for catalog entries with `client_registration: static` (their client is the integration's). An
 * integration may still set a client for such a provider; the flow then uses it rather than registering.
 */
export function registersItsClient(provider: Provider): boolean {
  if (provider.auth_mode === 'MCP_OAUTH2_GENERIC') return true;
  return provider.auth_mode === 'MCP_OAUTH2' && provider.client_registration === 'dynamic';
}

/**
 * A run-time integration as operations see it: the provider's auth mode, and its token URL for refreshes when it is
 * a plain URL (a per-tenant one, templated, cannot be refreshed from here). No actions: actions are declared in
 * integrations.yaml.
 */
function toIntegrationConfig(stored: StoredIntegration, provider: Provider): IntegrationConfig {
  // A mode this server does not run is served as OAuth 2 tokens registered by the app, as before it was known.
  const known = modeOfCatalog(provider.auth_mode);
  const authMode: AuthMode = known !== undefined && runsAuthMode(known) ? known : 'OAUTH2';
  const tokenUrl = provider.refresh_url ?? provider.token_url;
  const baseUrl = provider.proxy?.base_url ?? '';
  return {
    name: stored.uniqueKey,
    authMode,
    baseUrl: {
      source: baseUrl,
      path: `providers.${stored.provider}.proxy.base_url`,
      parts: baseUrl.includes('${') ? [] : [baseUrl],
    },
    headers: new Map(),
    queryParams: new Map(),
    httpTimeoutMs: DEFAULTS.httpTimeoutMs,
    maxResponseBytes: DEFAULTS.maxResponseBytes,
    actionTimeoutMs: DEFAULTS.actionTimeoutMs,
    logLevel: DEFAULTS.logLevel,
    // TBA signs with the integration's consumer key and secret, kept as its OAuth client; MCP_OAUTH2 may hold one.
    oauth: !holdsOAuthClient(authMode)
      ? undefined
      : {
          clientId: stored.oauthClientId,
          clientSecret: stored.oauthClientSecret,
          tokenUrl: tokenUrl !== undefined && !tokenUrl.includes('${') ? tokenUrl : undefined,
          clientAuth: provider.authorization_method === 'header' ? 'basic' : 'body',
          refreshMarginSeconds: DEFAULTS.refreshMarginSeconds,
        },
    actions: new Map(),
    syncs: new Map(),
    // What the connect doors read of the entry: its connection_config fields, verification and post_connection.
    provider,
    ...(stored.webhookSecret !== undefined || stored.extra.forward_webhooks !== undefined
      ? { webhooks: { forward: stored.extra.forward_webhooks ?? false, secret: stored.webhookSecret } }
      : {}),
  };
}

/** The `webhooks:` block a run-time integration compiles with: its webhook secret and `forward_webhooks`. */
function webhooksYaml(stored: StoredIntegration): { webhooks?: { secret?: string; forward?: boolean } } {
  const { webhookSecret } = stored;
  const forward = stored.extra.forward_webhooks;
  if (webhookSecret === undefined && forward === undefined) return {};
  return {
    webhooks: { ...(webhookSecret !== undefined && { secret: webhookSecret }), ...(forward !== undefined && { forward }) },
  };
}
