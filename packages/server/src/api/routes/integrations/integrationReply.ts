import { holdsOAuthClient } from '../../../config/authModeNames';
import type { IntegrationConfig } from '../../../config/types';
import type { IntegrationRegistry } from '../../../integrations/IntegrationRegistry';
import type { StoredIntegration } from '../../../store/IntegrationStore';
import { logoUrlOf } from '../providers/providerReply';

/**
 * The OAuth client of an integration (see holdsOAuthClient), given only with `include=credentials`; for a GitHub App
 * with OAuth (CUSTOM) the app's id and link too, never its private key.
 */
export type IntegrationCredentialsReply =
  | {
      type: 'OAUTH2' | 'OAUTH2_CC' | 'OAUTH1' | 'TBA' | 'MCP_OAUTH2';
      client_id: string;
      client_secret: string;
      scopes: string;
    }
  | { type: 'CUSTOM'; client_id: string; client_secret: string; app_id: string; app_link: string | null };

/**
 * One integration as `/integrations` answers it: Nango's public integration (`unique_key`, `display_name`,
 * `provider`, `logo`, `created_at`, `updated_at`) plus what this server knows besides (`auth_mode`, `source`, the
 * kept `forward_webhooks` and `integration_config`). `webhook_url` and `credentials` only when asked with `include`.
 */
export interface IntegrationReply {
  unique_key: string;
  display_name: string;
  provider: string | null;
  logo: string | null;
  auth_mode: string;
  /** `file` for integrations.yaml's (read-only here), `runtime` for those made through /integrations or /config. */
  source: 'file' | 'runtime';
  forward_webhooks: boolean;
  integration_config: Readonly<Record<string, unknown>>;
  created_at: string | null;
  updated_at: string | null;
  /** With `include=webhook`: where the provider should send its webhooks (`<server>/webhook/<environment>/<key>`). */
  webhook_url?: string;
  /** With `include=credentials`: the OAuth client (null for other auth modes or when none is set). */
  credentials?: IntegrationCredentialsReply | null;
}

/** What `include` asked for; `webhookBase` is what `webhook_url` starts with (providerWebhooks/webhookUrl.ts). */
export interface Includes {
  webhook: boolean;
  credentials: boolean;
  webhookBase?: string;
}

/** `include` as it arrives: absent, one value, or repeated (the 0.71 SDK sends only the last of its array). */
export function includesOf(include: string | string[] | undefined): Includes {
  const values = (Array.isArray(include) ? include : include === undefined ? [] : [include]).flatMap((value) => value.split(','));
  return { webhook: values.includes('webhook'), credentials: values.includes('credentials') };
}

/** A run-time integration (stored in the database) as the API shows it. */
export function storedIntegrationReply(
  stored: StoredIntegration,
  registry: IntegrationRegistry,
  includes: Includes = { webhook: false, credentials: false },
): IntegrationReply {
  const provider = registry.catalog.get(stored.provider);
  const authMode = provider?.auth_mode ?? 'OAUTH2';
  return {
    unique_key: stored.uniqueKey,
    display_name: stored.displayName ?? provider?.display_name ?? stored.provider,
    provider: stored.provider,
    logo: logoUrlOf(stored.provider),
    auth_mode: authMode,
    source: 'runtime',
    forward_webhooks: stored.extra.forward_webhooks ?? false,
    integration_config: stored.extra.integration_config ?? {},
    created_at: stored.createdAt,
    updated_at: stored.updatedAt,
    ...(includes.webhook && { webhook_url: `${includes.webhookBase ?? '/webhook'}/${stored.uniqueKey}` }),
    ...(includes.credentials && { credentials: storedCredentialsReply(stored, authMode) }),
  };
}

/** An integrations.yaml integration as the API shows it. */
export function fileIntegrationReply(
  integration: IntegrationConfig,
  includes: Includes = { webhook: false, credentials: false },
): IntegrationReply {
  const provider = integration.provider;
  const { oauth } = integration;
  const { authMode } = integration;
  const oauthMode = holdsOAuthClient(authMode) ? authMode : undefined;
  return {
    unique_key: integration.name,
    display_name: provider?.display_name ?? integration.name,
    provider: provider?.name ?? null,
    logo: provider ? logoUrlOf(provider.name) : null,
    auth_mode: integration.authMode,
    source: 'file',
    forward_webhooks: false,
    integration_config: {},
    created_at: null,
    updated_at: null,
    ...(includes.webhook && { webhook_url: `${includes.webhookBase ?? '/webhook'}/${integration.name}` }),
    ...(includes.credentials && {
      credentials:
        oauthMode && oauth?.clientId && oauth.clientSecret
          ? {
              type: oauthMode,
              client_id: oauth.clientId,
              client_secret: oauth.clientSecret,
              scopes: (oauth.scopes ?? []).join(','),
            }
          : null,
    }),
  };
}

/** Every integration, integrations.yaml's first where a key is in both (the file hides the row), by key. */
export async function listIntegrationReplies(registry: IntegrationRegistry): Promise<IntegrationReply[]> {
  const fileIntegrations = registry.fileIntegrations();
  const replies = [...fileIntegrations.values()].map((integration) => fileIntegrationReply(integration));
  for (const stored of await registry.store.list()) {
    if (!fileIntegrations.has(stored.uniqueKey)) replies.push(storedIntegrationReply(stored, registry));
  }
  return replies.sort((a, b) => (a.unique_key < b.unique_key ? -1 : a.unique_key > b.unique_key ? 1 : 0));
}

/** What `include=credentials` shows of a run-time integration: its OAuth client, never an app's private key. */
function storedCredentialsReply(stored: StoredIntegration, authMode: string): IntegrationCredentialsReply | null {
  if (stored.oauthClientId === '') return null;
  const client = { client_id: stored.oauthClientId, client_secret: stored.oauthClientSecret };
  if (authMode === 'CUSTOM') {
    return { type: 'CUSTOM', ...client, app_id: stored.extra.app_id ?? '', app_link: stored.extra.app_link ?? null };
  }
  return holdsOAuthClient(authMode) ? { type: authMode, ...client, scopes: stored.oauthScopes } : null;
}
