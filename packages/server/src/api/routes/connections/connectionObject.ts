import { CONNECTION_ID_SCHEMA, type NangoConnectionPublic } from '@nangohq/protocol';
import type { OperationContext } from '../../../operations/OperationContext';
import type { ConnectionAttributes, ConnectionListing, EndUser } from '../../../store/Store';

/** `end_user` as the REST API shows it (contract C.3.1): snake case, absent fields as null. */
export interface EndUserReply {
  id: string;
  display_name: string | null;
  email: string | null;
  tags: Record<string, string>;
  organization: { id: string; display_name: string | null } | null;
}

/** One entry of `GET /connections` (contract C.3). */
export interface ConnectionListItem {
  id: string;
  connection_id: string;
  provider_config_key: string;
  provider: string;
  errors: ConnectionErrorReply[];
  end_user: EndUserReply | null;
  tags: Record<string, string>;
  metadata: Record<string, unknown>;
  created: string;
}

/**
 * What is wrong with a Connection: `auth` when the provider rejected its refresh token (the user must authorise
 * again). `log_id` is empty (this server keeps no per-operation logs to point at); `message` is the provider's
 * reason, scrubbed of secrets when it was stored.
 */
export interface ConnectionErrorReply {
  type: 'auth';
  log_id: string;
  message?: string;
}

export function endUserReply(endUser: EndUser | null): EndUserReply | null {
  if (!endUser) return null;
  return {
    id: endUser.id,
    display_name: endUser.displayName ?? null,
    email: endUser.email ?? null,
    tags: endUser.tags ?? {},
    organization: endUser.organization
      ? { id: endUser.organization.id, display_name: endUser.organization.displayName ?? null }
      : null,
  };
}

export function errorsOf(connection: NangoConnectionPublic): ConnectionErrorReply[] {
  if (connection.authorization !== 'needs_reauthorization') return [];
  return [{ type: 'auth', log_id: '', ...(connection.authorizationError ? { message: connection.authorizationError } : {}) }];
}

/**
 * The provider name of an integration (its catalog entry, e.g. `github`); an integration without a catalog entry,
 * or one no longer declared, shows its own name.
 */
export function providerNameOf(operations: OperationContext, integrationName: string): string {
  return operations.integrations().integrations.get(integrationName)?.provider?.name ?? integrationName;
}

export function listItem(operations: OperationContext, listing: ConnectionListing): ConnectionListItem {
  return {
    id: listing.uuid,
    connection_id: listing.userId,
    provider_config_key: listing.integration,
    provider: providerNameOf(operations, listing.integration),
    errors: errorsOf(listing),
    end_user: endUserReply(listing.endUser),
    tags: listing.tags,
    metadata: listing.additionalConfig,
    created: listing.dateCreated,
  };
}

/** The fields C.3.1 adds to the legacy connection reply. */
export function modernFields(
  operations: OperationContext,
  connection: NangoConnectionPublic,
  attributes: ConnectionAttributes | undefined,
): {
  provider: string;
  errors: ConnectionErrorReply[];
  end_user: EndUserReply | null;
  tags: Record<string, string>;
  webhook_url_override: null;
  last_fetched_at: string;
} {
  return {
    provider: providerNameOf(operations, connection.integration),
    errors: errorsOf(connection),
    end_user: endUserReply(attributes?.endUser ?? null),
    tags: attributes?.tags ?? {},
    webhook_url_override: null,
    last_fetched_at: new Date().toISOString(),
  };
}

/** JSON schema pieces shared by the /connections routes. */
export const CONNECTION_ID = CONNECTION_ID_SCHEMA;
export const PROVIDER_CONFIG_KEY = { type: 'string', minLength: 1, maxLength: 128 } as const;
export const CONNECTION_PARAMS = {
  type: 'object',
  required: ['connectionId'],
  properties: { connectionId: CONNECTION_ID },
} as const;
export const KEY_QUERY = {
  type: 'object',
  required: ['provider_config_key'],
  properties: { provider_config_key: PROVIDER_CONFIG_KEY },
} as const;
