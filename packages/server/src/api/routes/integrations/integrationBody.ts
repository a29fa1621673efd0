import { createPrivateKey } from 'node:crypto';
import { normalisePem } from '../../../authModes/jwtTemplate';
import { holdsOAuthClient } from '../../../config/authModeNames';
import { WorkerError } from '../../../errors';
import type { Provider } from '../../../providers/Provider';
import type { IntegrationExtra } from '../../../store/IntegrationStore';

const SCOPES_SCHEMA = {
  anyOf: [
    { type: 'string', maxLength: 4096 },
    { type: 'array', items: { type: 'string', maxLength: 512 }, maxItems: 256 },
  ],
} as const;

/**
 * `credentials` of POST/PATCH /integrations, in either shape of contract C.5: spec 5's
 * `{ oauth_client_id, oauth_client_secret, oauth_scopes? }` or the 0.71 SDK's `{ type, client_id, client_secret,
 * scopes?, webhook_secret? }`; for a GitHub App (APP), Nango's `{ type: 'APP', app_id, app_link, private_key }`. Other
 * keys are accepted and ignored.
 */
const CREDENTIALS_SCHEMA = {
  type: 'object',
  properties: {
    type: { type: 'string', maxLength: 32 },
    client_id: { type: 'string', maxLength: 4096 },
    client_secret: { type: 'string', maxLength: 4096 },
    scopes: SCOPES_SCHEMA,
    webhook_secret: { type: 'string', maxLength: 4096 },
    oauth_client_id: { type: 'string', maxLength: 4096 },
    oauth_client_secret: { type: 'string', maxLength: 4096 },
    oauth_scopes: SCOPES_SCHEMA,
    app_id: { type: 'string', maxLength: 256 },
    app_link: { type: 'string', maxLength: 2048 },
    private_key: { type: 'string', maxLength: 16384 },
  },
} as const;

/** The integration key: what /config allows, so a key made here works in every route. */
export const UNIQUE_KEY_SCHEMA = { type: 'string', pattern: '^[A-Za-z0-9_-]+$', minLength: 1, maxLength: 128 } as const;

const COMMON_PROPERTIES = {
  unique_key: UNIQUE_KEY_SCHEMA,
  display_name: { type: 'string', minLength: 1, maxLength: 255 },
  forward_webhooks: { type: 'boolean' },
  integration_config: { type: 'object' },
  custom: { type: 'object' },
  credentials: CREDENTIALS_SCHEMA,
} as const;

/** POST /integrations (contract C.3). Unknown keys are accepted (lenient, as contract C.3.3 advises). */
export const POST_INTEGRATION_SCHEMA = {
  type: 'object',
  required: ['provider', 'unique_key'],
  properties: { provider: { type: 'string', minLength: 1, maxLength: 128 }, ...COMMON_PROPERTIES },
} as const;

/** PATCH /integrations/:uniqueKey: every field optional. */
export const PATCH_INTEGRATION_SCHEMA = { type: 'object', properties: COMMON_PROPERTIES } as const;

export const UNIQUE_KEY_PARAMS_SCHEMA = {
  type: 'object',
  required: ['uniqueKey'],
  properties: { uniqueKey: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

/** The credentials object as validated. */
export interface CredentialsBody {
  type?: string;
  client_id?: string;
  client_secret?: string;
  scopes?: string | string[];
  webhook_secret?: string;
  oauth_client_id?: string;
  oauth_client_secret?: string;
  oauth_scopes?: string | string[];
  app_id?: string;
  app_link?: string;
  private_key?: string;
}

/** Fields PATCH and POST share. */
export interface IntegrationBodyCommon {
  unique_key?: string;
  display_name?: string;
  forward_webhooks?: boolean;
  integration_config?: Record<string, unknown>;
  /** Nango's `custom` settings: accepted, not stored (an APP's settings come in `credentials`). */
  custom?: Record<string, unknown>;
  credentials?: CredentialsBody;
}

/** An OAuth client read from either credentials shape; absent parts are undefined. */
export interface OAuthClientInput {
  clientId?: string;
  clientSecret?: string;
  /** Comma-separated, trimmed. */
  scopes?: string;
  /** A GitHub App's public page (APP, CUSTOM), kept with the integration's settings. */
  appLink?: string;
  /** A GitHub App's id (CUSTOM: the client id is the OAuth client's), kept with the integration's settings. */
  appId?: string;
  /** A GitHub App's private key, PEM (CUSTOM: the client secret is the OAuth client's), sealed in its own column. */
  appPrivateKey?: string;
}

/**
 * The OAuth client in `credentials`, checked against the provider's auth mode (for TBA, `{ type: 'TBA', client_id,
 * client_secret }`: the consumer key and secret of the NetSuite integration record).
 * @throws WorkerError `invalid_request` for credentials on a provider that takes none, a `type` that is not its
 *   auth mode, or an APP/CUSTOM shape missing a field or with a bad one (a PEM key is never quoted)
 */
export function oauthClientOf(credentials: CredentialsBody | undefined, provider: Provider | undefined): OAuthClientInput {
  if (credentials === undefined || onlyWebhookSecret(credentials)) return {};
  const authMode = provider?.auth_mode;
  if (authMode === 'APP') return githubAppOf(credentials, provider?.name ?? '?');
  if (authMode === 'CUSTOM') return githubAppOAuthOf(credentials, provider?.name ?? '?');
  if (!holdsOAuthClient(authMode)) {
    throw new WorkerError(
      'invalid_request',
      `credentials: provider '${provider?.name ?? '?'}' uses ${authMode ?? 'no known auth mode'}, which takes no OAuth client`,
    );
  }
  if (credentials.type !== undefined && credentials.type !== authMode) {
    throw new WorkerError(
      'invalid_request',
      `credentials.type: '${credentials.type}' is not supported for provider '${provider?.name ?? '?'}' (${authMode}); send type '${authMode}' with client_id and client_secret`,
    );
  }
  const scopes = credentials.scopes ?? credentials.oauth_scopes;
  return {
    clientId: credentials.client_id ?? credentials.oauth_client_id,
    clientSecret: credentials.client_secret ?? credentials.oauth_client_secret,
    scopes:
      scopes === undefined
        ? undefined
        : (Array.isArray(scopes) ? scopes : scopes.split(','))
            .map((scope) => scope.trim())
            .filter(Boolean)
            .join(','),
  };
}

/**
 * A GitHub App's settings (APP), kept as Nango keeps them: the app id as the client id, its private key as the
 * (encrypted) client secret, the app link with the integration's settings.
 * @throws WorkerError `invalid_request` naming the field: a `type` other than APP, a missing app id or key, a key that
 *   is not a PEM private key (never quoted), an app link that is not an http(s) URL
 */
function githubAppOf(credentials: CredentialsBody, provider: string): OAuthClientInput {
  refuseOtherType(credentials, provider, 'APP', 'app_id, app_link and private_key');
  const app = githubAppParts(credentials, `credentials for provider '${provider}' (APP)`);
  return { clientId: app.appId, clientSecret: app.privateKey, ...(app.appLink && { appLink: app.appLink }) };
}

/**
 * A GitHub App with OAuth (CUSTOM, Nango's `{ type: 'CUSTOM', client_id, client_secret, app_id, app_link,
 * private_key }`): the OAuth client as any OAuth integration's, the app id and link with its settings, the private key
 * in its own sealed column.
 * @throws WorkerError `invalid_request` naming the field, as for APP, and for a missing client id or secret
 */
function githubAppOAuthOf(credentials: CredentialsBody, provider: string): OAuthClientInput {
  refuseOtherType(credentials, provider, 'CUSTOM', 'client_id, client_secret, app_id, app_link and private_key');
  const where = `credentials for provider '${provider}' (CUSTOM)`;
  const clientId = credentials.client_id?.trim() ?? '';
  const clientSecret = credentials.client_secret ?? '';
  const missing = [
    clientId === '' && 'client_id',
    clientSecret.trim() === '' && 'client_secret',
    (credentials.app_id?.trim() ?? '') === '' && 'app_id',
    (credentials.private_key?.trim() ?? '') === '' && 'private_key',
  ].filter((name): name is string => typeof name === 'string');
  if (missing.length > 0) {
    throw new WorkerError(
      'invalid_request',
      `${where}: ${missing.join(', ')} missing (client_id, client_secret, app_id and private_key are all required)`,
    );
  }
  const app = githubAppParts(credentials, where);
  return {
    clientId,
    clientSecret,
    appId: app.appId,
    appPrivateKey: app.privateKey,
    ...(app.appLink && { appLink: app.appLink }),
  };
}

function refuseOtherType(credentials: CredentialsBody, provider: string, mode: 'APP' | 'CUSTOM', fields: string): void {
  if (credentials.type !== undefined && credentials.type !== mode) {
    throw new WorkerError(
      'invalid_request',
      `credentials.type: '${credentials.type}' is not supported for provider '${provider}' (${mode}); send type '${mode}' with ${fields}`,
    );
  }
}

/** The app id, PEM key (checked, never quoted) and app link (checked, trailing slashes dropped) of a GitHub App. */
function githubAppParts(credentials: CredentialsBody, where: string): { appId: string; privateKey: string; appLink?: string } {
  const appId = credentials.app_id?.trim() ?? '';
  const privateKey = credentials.private_key ?? '';
  if (appId === '' || privateKey.trim() === '') {
    throw new WorkerError('invalid_request', `${where}: app_id and private_key (the app's private key, PEM) are both required`);
  }
  try {
    createPrivateKey(normalisePem(privateKey));
  } catch {
    throw new WorkerError(
      'invalid_request',
      `credentials.private_key: not a PEM private key (paste the .pem file GitHub gives for the app, PKCS#1 or PKCS#8)`,
    );
  }
  const appLink = credentials.app_link?.trim();
  if (appLink !== undefined && appLink !== '' && !/^https?:\/\/[^\s/]+/.test(appLink)) {
    throw new WorkerError(
      'invalid_request',
      `credentials.app_link: '${appLink}' is not an http(s) URL (https://github.com/apps/<slug>)`,
    );
  }
  return { appId, privateKey, ...(appLink && { appLink: appLink.replace(/\/+$/, '') }) };
}

/** Credentials that carry nothing but a webhook secret: any provider takes them, whatever its auth mode. */
function onlyWebhookSecret(credentials: CredentialsBody): boolean {
  const keys = Object.keys(credentials).filter((key) => key !== 'type');
  return keys.length === 1 && keys[0] === 'webhook_secret';
}

/**
 * The webhook secret of a body (`credentials.webhook_secret`, Nango's name): what provider webhooks for the integration
 * are checked with. '' (or blanks) removes it; undefined when the body does not say.
 */
export function webhookSecretOf(body: IntegrationBodyCommon): string | undefined {
  const secret = body.credentials?.webhook_secret;
  return secret === undefined ? undefined : secret.trim();
}

/** The kept settings of a body (those it carries), and the app link (and id) an APP or CUSTOM client brings. */
export function extraOf(body: IntegrationBodyCommon, client: OAuthClientInput = {}): IntegrationExtra | undefined {
  const extra: {
    forward_webhooks?: boolean;
    integration_config?: Record<string, unknown>;
    app_link?: string;
    app_id?: string;
  } = {};
  if (client.appLink !== undefined) extra.app_link = client.appLink;
  if (client.appId !== undefined) extra.app_id = client.appId;
  if (body.forward_webhooks !== undefined) extra.forward_webhooks = body.forward_webhooks;
  if (body.integration_config !== undefined) extra.integration_config = body.integration_config;
  return Object.keys(extra).length > 0 ? extra : undefined;
}
