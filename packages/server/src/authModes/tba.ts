import type { NangoConnection, StoredCredentials } from '@nangohq/protocol';
import type { IntegrationConfig } from '../config/types';
import { WorkerError } from '../errors';
import { oauth1AuthorizationHeader } from '../signing/oauth1';
import type { AuthModeHandler } from './AuthModeHandler';
import { credentialField, setCredentialHeader } from './credentialField';
import { signedFormParams } from './oauth1';

/** The Connection config field NetSuite's account id is in (the catalog's `connection_config.accountId`). */
export const TBA_ACCOUNT_FIELD = 'accountId';

/**
 * TBA (NetSuite token-based authentication): OAuth 1.0a with HMAC-SHA256, the integration's consumer key and secret
 * (or the Connection's own, given as overrides), the user's token id and token secret, and the realm: the account id
 * of the Connection's config, upper case, `-` as `_` (NetSuite's rule: `123456-sb1` signs as `123456_SB1`). Nothing
 * expires, so nothing is refreshed; each redirect hop is signed afresh.
 */
export const tba: AuthModeHandler = {
  mode: 'TBA',
  requiredFields: ['token_id', 'token_secret'],
  normalise: normaliseOverride,
  authorise(integration, connection, request) {
    const { consumerKey, consumerSecret } = consumerOf(integration, connection);
    const header = oauth1AuthorizationHeader({
      method: request.method,
      url: request.url.href,
      bodyParams: signedFormParams(request),
      consumerKey,
      consumerSecret,
      token: credentialField(integration, connection, 'token_id'),
      tokenSecret: credentialField(integration, connection, 'token_secret'),
      signatureMethod: 'HMAC-SHA256',
      realm: tbaRealm(integration, connection),
    });
    setCredentialHeader(request.headers, 'authorization', header);
  },
};

/**
 * The realm of a NetSuite account id: upper case, every `-` as `_`.
 * @throws WorkerError `http_request_invalid` naming the config field when the Connection has no account id
 */
export function tbaRealm(integration: IntegrationConfig, connection: NangoConnection): string {
  const accountId = connection.additionalConfig[TBA_ACCOUNT_FIELD];
  if (typeof accountId !== 'string' || accountId === '') {
    throw new WorkerError(
      'http_request_invalid',
      `integration ${integration.name} (TBA): this connection has no additionalConfig.${TBA_ACCOUNT_FIELD}, the NetSuite account id its requests are signed for (params[${TBA_ACCOUNT_FIELD}] when connecting)`,
    );
  }
  return accountId.toUpperCase().replace(/-/g, '_');
}

/**
 * What signs for the Connection: its own consumer key and secret when it was given them (`config_override`), else the
 * integration's.
 * @throws WorkerError `http_request_invalid` naming the settings when neither has them
 */
export function consumerOf(
  integration: IntegrationConfig,
  connection: NangoConnection,
): { consumerKey: string; consumerSecret: string } {
  const override = connection.credentials['config_override'] as { client_id?: unknown; client_secret?: unknown } | undefined;
  const consumerKey = textOr(override?.client_id, integration.oauth?.clientId);
  const consumerSecret = textOr(override?.client_secret, integration.oauth?.clientSecret);
  if (!consumerKey || !consumerSecret) {
    throw new WorkerError(
      'http_request_invalid',
      `integration ${integration.name} (TBA) has no consumer key and secret: set integrations.${integration.name}.oauth.client_id and client_secret (the NetSuite integration record's), or give the Connection its own`,
    );
  }
  return { consumerKey, consumerSecret };
}

/**
 * The Connection's own consumer key and secret, kept as Nango does in `config_override: { client_id, client_secret }`:
 * given so, or as the frontend sends them (`oauth_client_id_override`, `oauth_client_secret_override`).
 */
function normaliseOverride(raw: Readonly<Record<string, unknown>>, stored: StoredCredentials, problems: string[]): void {
  const nested = raw['config_override'];
  if (nested !== undefined && nested !== null && (typeof nested !== 'object' || Array.isArray(nested))) {
    problems.push('config_override must be an object { client_id?, client_secret? }');
    return;
  }
  const given = (nested ?? {}) as Record<string, unknown>;
  const override: Record<string, string> = {};
  for (const [field, flat] of [
    ['client_id', 'oauth_client_id_override'],
    ['client_secret', 'oauth_client_secret_override'],
  ] as const) {
    const value = given[field] ?? raw[flat];
    if (value === undefined || value === '') continue;
    if (typeof value !== 'string') problems.push(`${flat} (config_override.${field}) must be a string`);
    else override[field] = value;
  }
  if (Object.keys(override).length > 0) stored['config_override'] = override;
}

function textOr(first: unknown, second: string | undefined): string | undefined {
  return typeof first === 'string' && first !== '' ? first : second || undefined;
}
