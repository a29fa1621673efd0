import type { IntegrationConfig } from '../../../config/types';
import { WorkerError } from '../../../errors';
import type { IntegrationRegistry } from '../../../integrations/IntegrationRegistry';
import type { IntegrationInput, StoredIntegration } from '../../../store/IntegrationStore';

/** The body of POST and PUT /config (contract D.6; the spec 3 CLI sends scopes as one comma-separated string). */
export const CONFIG_BODY_SCHEMA = {
  type: 'object',
  required: ['provider_config_key', 'provider', 'oauth_client_id', 'oauth_client_secret'],
  properties: {
    provider_config_key: { type: 'string', pattern: '^[A-Za-z0-9_-]+$', minLength: 1, maxLength: 128 },
    provider: { type: 'string', minLength: 1, maxLength: 128 },
    oauth_client_id: { type: 'string', minLength: 1, maxLength: 4096 },
    oauth_client_secret: { type: 'string', minLength: 1, maxLength: 4096 },
    oauth_scopes: {
      anyOf: [
        { type: 'string', maxLength: 4096 },
        { type: 'array', items: { type: 'string', maxLength: 512 }, maxItems: 256 },
      ],
    },
  },
} as const;

/** The body as Fastify hands it over, validated. */
export interface ConfigBody {
  provider_config_key: string;
  provider: string;
  oauth_client_id: string;
  oauth_client_secret: string;
  oauth_scopes?: string | string[];
}

/**
 * What to store for a POST or PUT body: the provider must be in the catalog, with an auth mode the OAuth flow runs.
 * @throws WorkerError `unknown_provider`, `invalid_request`
 */
export function integrationInput(body: ConfigBody, registry: IntegrationRegistry): IntegrationInput {
  const provider = registry.catalog.get(body.provider);
  if (!provider) {
    throw new WorkerError(
      'unknown_provider',
      `Unknown provider '${body.provider}': it is not in the providers catalog (GET /providers lists them)`,
    );
  }
  if (provider.auth_mode !== 'OAUTH2' && provider.auth_mode !== 'OAUTH1') {
    throw new WorkerError(
      'invalid_request',
      `Provider '${body.provider}' uses ${provider.auth_mode}; integrations made through /config are for OAUTH2 and OAUTH1 providers`,
    );
  }
  const scopes = Array.isArray(body.oauth_scopes) ? body.oauth_scopes : (body.oauth_scopes ?? '').split(',');
  return {
    uniqueKey: body.provider_config_key,
    provider: body.provider,
    oauthClientId: body.oauth_client_id,
    oauthClientSecret: body.oauth_client_secret,
    oauthScopes: scopes
      .map((scope) => scope.trim())
      .filter(Boolean)
      .join(','),
  };
}

/** One integration as the /config routes show it. The client secret is never sent back. */
export interface ConfigReply {
  unique_key: string;
  provider: string | null;
  oauth_client_id: string | null;
  oauth_scopes: string;
  /** `api` for those made through /config, `file` for those of integrations.yaml (read-only here). */
  source: 'api' | 'file';
  created_at: string | null;
  updated_at: string | null;
}

export function storedConfigReply(stored: StoredIntegration): ConfigReply {
  return {
    unique_key: stored.uniqueKey,
    provider: stored.provider,
    oauth_client_id: stored.oauthClientId,
    oauth_scopes: stored.oauthScopes,
    source: 'api',
    created_at: stored.createdAt,
    updated_at: stored.updatedAt,
  };
}

export function fileConfigReply(integration: IntegrationConfig): ConfigReply {
  return {
    unique_key: integration.name,
    provider: integration.provider?.name ?? null,
    oauth_client_id: integration.oauth?.clientId ?? null,
    oauth_scopes: (integration.oauth?.scopes ?? []).join(','),
    source: 'file',
    created_at: null,
    updated_at: null,
  };
}

/** @throws WorkerError `integration_read_only` */
export function refuseFileIntegration(key: string): never {
  throw new WorkerError(
    'integration_read_only',
    `Integration '${key}' is declared in integrations.yaml and managed by that file; change it there`,
  );
}
