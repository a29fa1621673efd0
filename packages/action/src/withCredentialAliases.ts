import type { AuthMode, NangoConnection, StoredCredentials } from '@nangohq/protocol';

/**
 * The names the 2022 product's credentials had, beside ours: `type` (the auth mode), OAuth 2 `accessToken`,
 * `refreshToken` and `expiresAt` (a Date), OAuth 1 `oAuthToken` and `oAuthTokenSecret`, `apiKey`. `username`,
 * `password` and `raw` already share their names.
 */
export interface LegacyCredentialNames {
  type?: AuthMode;
  accessToken?: string;
  refreshToken?: string;
  expiresAt?: Date;
  oAuthToken?: string;
  oAuthTokenSecret?: string;
  apiKey?: string;
}

/** Which of our field names says which auth mode; stored credentials hold exactly their mode's fields and raw. */
const MODE_BY_FIELD: readonly (readonly [string, AuthMode])[] = [
  ['access_token', 'OAUTH2'],
  ['oauth_token', 'OAUTH1'],
  ['api_key', 'API_KEY'],
  ['username', 'USERNAME_PASSWORD'],
];

const ALIASES: readonly (readonly [string, string])[] = [
  ['accessToken', 'access_token'],
  ['refreshToken', 'refresh_token'],
  ['oAuthToken', 'oauth_token'],
  ['oAuthTokenSecret', 'oauth_token_secret'],
  ['apiKey', 'api_key'],
];

/** A Connection whose credentials also answer to the 2022 names. */
export type ActionConnection = NangoConnection & { credentials: NangoConnection['credentials'] & LegacyCredentialNames };

/**
 * The Connection with the 2022 names added to its credentials, as non-enumerable properties: an action written
 * for that product reads `credentials.accessToken` or `credentials.expiresAt.getTime()`, while JSON.stringify,
 * spreads and Object.keys still see exactly the fields spec 2 shows. A name the credentials already have is left
 * alone. In place when the credentials object can take them, else on a copy.
 */
export function withCredentialAliases(connection: NangoConnection): ActionConnection {
  if (Object.isExtensible(connection.credentials)) {
    addAliases(connection.credentials);
    return connection as ActionConnection;
  }
  const credentials = { ...connection.credentials };
  addAliases(credentials);
  return { ...connection, credentials } as ActionConnection;
}

function addAliases(credentials: StoredCredentials): void {
  const define = (name: string, value: unknown) => {
    if (value === undefined || Object.prototype.hasOwnProperty.call(credentials, name)) return;
    Object.defineProperty(credentials, name, { value, writable: true, configurable: true, enumerable: false });
  };
  define('type', MODE_BY_FIELD.find(([field]) => typeof credentials[field] === 'string')?.[1]);
  for (const [alias, field] of ALIASES) define(alias, credentials[field]);
  const expiresAt = credentials['expires_at'];
  const date = typeof expiresAt === 'string' ? new Date(expiresAt) : undefined;
  define('expiresAt', date && !Number.isNaN(date.getTime()) ? date : undefined);
}
