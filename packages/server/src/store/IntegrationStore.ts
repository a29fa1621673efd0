import type { CredentialCipher } from '../encryption/CredentialCipher';

/** An integration made at run time through the /config API, its client secret decrypted. */
export interface StoredIntegration {
  /** The provider config key: the integration's name, unique across integrations.yaml and the database. */
  readonly uniqueKey: string;
  /** The catalog entry it uses, e.g. `github`. */
  readonly provider: string;
  readonly oauthClientId: string;
  readonly oauthClientSecret: string;
  /**
   * A GitHub App's private key (PEM) for CUSTOM (GitHub App with OAuth), whose client secret is the OAuth client's;
   * undefined for every other integration. Sealed in its own column (`app_private_key`).
   */
  readonly appPrivateKey?: string | undefined;
  /**
   * The secret the provider signs its webhooks with (POST/PATCH /integrations `credentials.webhook_secret`), checked
   * on every webhook received for this integration; undefined when none is set. Sealed in its own column
   * (`webhook_secret`), never given back by the API.
   */
  readonly webhookSecret?: string | undefined;
  /** Scopes as the user gave them: a comma-separated list (spec 3's CLI form). */
  readonly oauthScopes: string;
  /** A human-readable name (POST/PATCH /integrations `display_name`); null when none was given. */
  readonly displayName: string | null;
  /** Settings the REST API keeps without acting on them (see IntegrationExtra). */
  readonly extra: IntegrationExtra;
  /** ISO 8601. */
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * What POST/PATCH /integrations accept besides the OAuth client and display name, kept as JSON in the `extra` column
 * and given back as they came. Nothing secret goes here: `custom` (app private keys) is not stored.
 */
export interface IntegrationExtra {
  /** Nango's switch for relaying provider webhooks to the app's webhook URL (`type: 'forward'`). */
  readonly forward_webhooks?: boolean;
  /** Nango's per-integration settings object; kept, not acted on. */
  readonly integration_config?: Readonly<Record<string, unknown>>;
  /** A GitHub App's public page (APP, CUSTOM): where the install flow sends the user. */
  readonly app_link?: string;
  /** A GitHub App's id (CUSTOM, whose client id is the OAuth client's; an APP keeps it as its client id). */
  readonly app_id?: string;
}

/** What is written: everything but the timestamps; `displayName` and `extra` default to none. */
export type IntegrationInput = Omit<StoredIntegration, 'createdAt' | 'updatedAt' | 'displayName' | 'extra'> & {
  readonly displayName?: string | null;
  readonly extra?: IntegrationExtra;
};

/** A partial change of a stored integration (PATCH /integrations/:key); absent fields are kept. */
export interface IntegrationChange {
  /** A new key: the integration is renamed, and its Connections move with it. */
  readonly uniqueKey?: string;
  readonly oauthClientId?: string;
  readonly oauthClientSecret?: string;
  /** A new app private key (CUSTOM). */
  readonly appPrivateKey?: string;
  /** A new webhook secret; '' removes it. */
  readonly webhookSecret?: string;
  readonly oauthScopes?: string;
  readonly displayName?: string | null;
  readonly extra?: IntegrationExtra;
}

/**
 * Integrations made at run time through the /config API, in the `integrations` table. The client secret is sealed
 * with the credential cipher, bound to the row's uuid. SQLite and PostgreSQL implement it alike.
 */
export interface IntegrationStore {
  /** Every integration made at run time, by key. @throws WorkerError `storage_error` */
  list(): Promise<StoredIntegration[]>;
  /** One integration, or undefined. @throws WorkerError `storage_error` */
  get(uniqueKey: string): Promise<StoredIntegration | undefined>;
  /** Stores a new integration. @throws WorkerError `integration_exists`, `storage_error` */
  insert(input: IntegrationInput): Promise<void>;
  /** Replaces an integration's provider, client and scopes; false when there is none. @throws WorkerError `storage_error` */
  update(input: IntegrationInput): Promise<boolean>;
  /**
   * Applies a partial change (PATCH /integrations/:key); a new `uniqueKey` renames the integration and moves its
   * Connections with it, in one transaction. False when there is no integration `uniqueKey`.
   * @throws WorkerError `integration_exists` (the new key is taken), `storage_error`
   */
  change(uniqueKey: string, change: IntegrationChange): Promise<boolean>;
  /** Deletes an integration; false when there was none. @throws WorkerError `storage_error` */
  delete(uniqueKey: string): Promise<boolean>;
  /**
   * Key ids the stored client secrets are sealed with: a start refuses a database whose secrets need a key it lacks
   * (like Connections, they need the old key in NANGO_ENCRYPTION_OLD_KEYS until `rotate-key` has run).
   */
  keyIdsInUse(): Promise<string[]>;
  /** For `rotate-key`: re-encrypts every client secret with `cipher`'s current key; returns how many. */
  reencrypt(cipher: CredentialCipher): Promise<number>;
}

/** A row of the `integrations` table, as both stores read it. */
export interface IntegrationRow {
  unique_key: string;
  uuid: string;
  provider: string;
  oauth_client_id: string;
  oauth_client_secret: string;
  /** The app private key sealed with the same key as oauth_client_secret; '' when there is none. */
  app_private_key: string;
  /** The webhook secret sealed with the same key; '' when there is none. */
  webhook_secret: string;
  key_id: string;
  oauth_scopes: string;
  display_name: string | null;
  /** JSON of IntegrationExtra. */
  extra: string;
  created_at: string;
  updated_at: string;
}

/** A stored row as callers see it, its client secret decrypted. */
export function openIntegrationRow(row: IntegrationRow, cipher: CredentialCipher): StoredIntegration {
  return {
    uniqueKey: row.unique_key,
    provider: row.provider,
    oauthClientId: row.oauth_client_id,
    oauthClientSecret: cipher.open(row.oauth_client_secret, row.uuid),
    appPrivateKey: row.app_private_key ? cipher.open(row.app_private_key, appKeyBinding(row.uuid)) : undefined,
    webhookSecret: row.webhook_secret ? cipher.open(row.webhook_secret, webhookSecretBinding(row.uuid)) : undefined,
    oauthScopes: row.oauth_scopes,
    displayName: row.display_name ?? null,
    extra: parseExtra(row.extra),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * What the app private key is bound to: the row's uuid and the column, so the two sealed values of one row cannot be
 * swapped for each other.
 */
function appKeyBinding(uuid: string): string {
  return `${uuid}:app_private_key`;
}

/** What the webhook secret is bound to, as appKeyBinding: the row's uuid and its column. */
function webhookSecretBinding(uuid: string): string {
  return `${uuid}:webhook_secret`;
}

/** A row's sealed secrets, all under one key_id. */
export interface SealedSecrets {
  oauth_client_secret: string;
  app_private_key: string;
  webhook_secret: string;
  key_id: string;
}

/**
 * A row's secrets sealed with the cipher's current key (one key_id covers them all); no app key and no webhook secret
 * are kept as ''.
 */
export function sealSecrets(
  cipher: CredentialCipher,
  uuid: string,
  clientSecret: string,
  appPrivateKey: string | undefined,
  webhookSecret?: string,
): SealedSecrets {
  const sealed = cipher.seal(clientSecret, uuid);
  const appKey = appPrivateKey ? cipher.seal(appPrivateKey, appKeyBinding(uuid)).text : '';
  const webhook = webhookSecret ? cipher.seal(webhookSecret, webhookSecretBinding(uuid)).text : '';
  return { oauth_client_secret: sealed.text, app_private_key: appKey, webhook_secret: webhook, key_id: sealed.keyId };
}

/** The webhook secret a stored row holds, opened; undefined when it has none. */
export function openWebhookSecret(row: IntegrationRow, cipher: CredentialCipher): string | undefined {
  return row.webhook_secret ? cipher.open(row.webhook_secret, webhookSecretBinding(row.uuid)) : undefined;
}

/** A stored row's secrets opened with `from` and sealed again with `to`'s current key (rotate-key). */
export function resealedSecrets(row: IntegrationRow, from: CredentialCipher, to: CredentialCipher): SealedSecrets {
  const appKey = row.app_private_key ? from.open(row.app_private_key, appKeyBinding(row.uuid)) : undefined;
  return sealSecrets(to, row.uuid, from.open(row.oauth_client_secret, row.uuid), appKey, openWebhookSecret(row, from));
}

/**
 * The row `row` becomes after `change`, for both stores' change(): when either secret changes both are sealed again,
 * so the row's one key_id stays true of both.
 */
export function changedRow(row: IntegrationRow, change: IntegrationChange, cipher: CredentialCipher): IntegrationRow {
  const secretsChange =
    change.oauthClientSecret !== undefined || change.appPrivateKey !== undefined || change.webhookSecret !== undefined;
  const sealed = secretsChange
    ? sealSecrets(
        cipher,
        row.uuid,
        change.oauthClientSecret ?? cipher.open(row.oauth_client_secret, row.uuid),
        change.appPrivateKey ?? (row.app_private_key ? cipher.open(row.app_private_key, appKeyBinding(row.uuid)) : undefined),
        change.webhookSecret ?? openWebhookSecret(row, cipher),
      )
    : undefined;
  return {
    ...row,
    ...sealed,
    unique_key: change.uniqueKey ?? row.unique_key,
    oauth_client_id: change.oauthClientId ?? row.oauth_client_id,
    oauth_scopes: change.oauthScopes ?? row.oauth_scopes,
    display_name: change.displayName === undefined ? row.display_name : change.displayName,
    extra: change.extra === undefined ? row.extra : JSON.stringify({ ...parseExtra(row.extra), ...change.extra }),
    updated_at: new Date().toISOString(),
  };
}

function parseExtra(text: string | null | undefined): IntegrationExtra {
  try {
    const value: unknown = JSON.parse(text ?? '{}');
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as IntegrationExtra) : {};
  } catch {
    return {};
  }
}
