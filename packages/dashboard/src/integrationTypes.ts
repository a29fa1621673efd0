/**
 * What the routes behind the integration, webhook and try-an-action pages answer (docs/http-api.md): only the fields
 * those pages read. Kept apart from types.ts so each page family's wire types sit together.
 */

/** One entry of `GET /integrations` and `GET /integrations/:key` (never with `include=credentials` here). */
export interface Integration {
  unique_key: string;
  display_name: string;
  provider: string | null;
  auth_mode: string;
  /** `file` for integrations.yaml's (read-only through the API); `api` (or `runtime`) for those made at run time. */
  source?: string;
  forward_webhooks?: boolean;
  created_at: string | null;
  updated_at: string | null;
}

/** One entry of `GET /providers` (the catalog): only what the new-integration page shows. */
export interface Provider {
  name: string;
  display_name?: string;
  auth_mode: string;
  docs?: string;
  categories?: string[];
  default_scopes?: string[];
}

/** One action or sync of `GET /scripts/config` (Nango's shape; this server fills the action fields it knows). */
export interface ScriptConfig {
  name: string;
  type?: string;
  description?: string;
  /** The action's input JSON Schema (or, in Nango's shape, a model name). */
  input?: unknown;
  /** The models a sync writes, or an action's output model, by name. */
  returns?: unknown;
  /** JSON Schemas by role (`input`, `output`) or by model name (`definitions`), when the server sends them. */
  json_schema?: Record<string, unknown> | null;
  /** A sync's models with their fields, in Nango's older shape. */
  models?: unknown;
  /** A sync's schedule, e.g. `every hour`. */
  runs?: string;
}

/** One integration's scripts as `GET /scripts/config` answers them. */
export interface ScriptsConfigEntry {
  providerConfigKey: string;
  provider: string;
  actions?: ScriptConfig[];
  syncs?: ScriptConfig[];
}

export type DeliveryState = 'pending' | 'delivered' | 'failed';

/** One entry of `GET /webhooks/deliveries` (bodies are never sent). */
export interface WebhookDelivery {
  id: string;
  url: string;
  type: string;
  state: DeliveryState;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  created_at: string;
  updated_at: string;
}

/** One entry of `GET /connections`: only what the Connection picker shows. No credentials are in this list. */
export interface ConnectionChoice {
  connection_id: string;
  provider_config_key: string;
  end_user: { id: string; display_name: string | null; email: string | null } | null;
  created: string;
}
