import type { NangoConnection, StoredCredentials } from '@nangohq/protocol';
import { renderTemplate } from '../config/renderTemplate';
import { userHostKeys, userHostProblem } from '../config/userHost';
import { userHostFields } from '../oauth/flow/interpolateUrl';
import { closedValues } from '../providers/fieldDescriptions';
import type { IntegrationConfig } from '../config/types';
import { requestClientCredentials, type ClientCredentialsRequest } from '../oauth/requestClientCredentials';
import type { AuthModeHandler, GrantMissing, TokenGrant } from './AuthModeHandler';
import { renderCatalogText } from './catalogText';
import { clientAssertion, readClientKey, type ClientKey } from './clientAssertion';
import { credentialField } from './credentialField';
import { putToken } from './tokenHeaders';

/** What a user may give for an OAUTH2_CC Connection: their own client (Nango's OAuth2ClientCredentials fields). */
const CLIENT_FIELDS = ['client_id', 'client_secret', 'client_private_key', 'client_certificate'] as const;

/**
 * OAUTH2_CC (RFC 6749 4.4): a token fetched from the catalog entry's token URL with a client's credentials: the
 * Connection's own when the user gave them (the catalog's `credentials: client_id, client_secret` or
 * `client_private_key`), else the integration's OAuth client. The client authenticates as the entry says
 * (`token_request_auth_method`: Basic, private_key_jwt, else id and secret in the body); the entry's `token_params`
 * (audience, …) and scopes go with it. Fetched when the Connection is made (a client the provider refuses stores
 * nothing) and again before it expires. Stored in Nango's shape: `token`, `expires_at`, `client_id`, the user's own
 * secret or key when they gave one, `raw` the token response. Put on requests as `Bearer <token>` unless the catalog
 * places it elsewhere.
 */
export const oauth2ClientCredentials: AuthModeHandler = {
  mode: 'OAUTH2_CC',
  requiredFields: [],
  normalise(raw, stored, problems) {
    for (const field of CLIENT_FIELDS) {
      const value = raw[field];
      if (value === undefined || value === null || value === '') continue;
      if (typeof value !== 'string') problems.push(`${field} must be a string`);
      else stored[field] = value;
    }
    const key = stored['client_private_key'];
    if (typeof key === 'string') {
      const read = readClientKey(key, 'client_private_key');
      if ('problem' in read) problems.push(read.problem);
    }
    if ((stored['client_secret'] !== undefined || key !== undefined) && stored['client_id'] === undefined) {
      problems.push('client_id is required with client_secret or client_private_key');
    }
  },
  tokenFetch: { atCreation: true },
  grant(integration, connection, timeoutMs): TokenGrant | GrantMissing {
    const planned = plan(integration, connection, timeoutMs);
    if ('missing' in planned) return planned;
    const { request, privateKey } = planned;
    const millis = integration.provider?.expires_in_unit === 'milliseconds';
    return {
      request: async () => {
        if (!privateKey) return requestClientCredentials(request);
        const assertion = await clientAssertion(request.client.clientId, request.tokenUrl, privateKey);
        return requestClientCredentials({
          ...request,
          client: { method: 'assertion', clientId: request.client.clientId, assertion },
        });
      },
      credentials: (previous, response, now) => tokenCredentials(previous, response, now, request.client.clientId, millis),
    };
  },
  authorise(integration, connection, request) {
    const token = credentialField(integration, connection, 'token');
    putToken(integration, request, token, (value) => ['authorization', `Bearer ${value}`]);
  },
};

/** The token request for the Connection, its private key apart (the assertion is signed at each call). */
function plan(
  integration: IntegrationConfig,
  connection: NangoConnection,
  timeoutMs: number,
): { request: ClientCredentialsRequest; privateKey: ClientKey | undefined } | GrantMissing {
  const { provider } = integration;
  const own = (field: string): string | undefined => {
    const value = connection.credentials[field];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  // The Connection's own client when it holds a secret or a key (its client_id alone may be the integration's, stored
  // for Nango's shape); a user's own client id never goes with the integration's secret.
  const keyText = own('client_private_key');
  const ownSecret = own('client_secret');
  const ownClient = ownSecret !== undefined || keyText !== undefined;
  const clientId = ownClient ? own('client_id') : (integration.oauth?.clientId ?? own('client_id'));
  const secret = ownClient ? ownSecret : integration.oauth?.clientSecret;
  if (!clientId) {
    return {
      missing: `no client id: give the Connection's client_id, or set the OAuth client of integration '${integration.name}'`,
    };
  }
  const byKey = provider?.token_request_auth_method === 'private_key_jwt' || (keyText !== undefined && secret === undefined);
  let privateKey: ClientKey | undefined;
  if (byKey) {
    if (keyText === undefined)
      return { missing: `integration '${integration.name}' signs with the client's key: give client_private_key` };
    const read = readClientKey(keyText, 'client_private_key');
    if ('problem' in read) return { missing: read.problem };
    privateKey = read;
  } else if (secret === undefined) {
    return {
      missing: `no client secret: give the Connection's client_secret, or set the OAuth client of integration '${integration.name}'`,
    };
  }
  let tokenUrl: string | undefined;
  let params: Record<string, string>;
  const userHost = catalogTokenHostIsTyped(integration);
  if (userHost && !ownClient) {
    return {
      missing:
        `integration '${integration.name}' takes its token URL's host from a value the user types, where the ` +
        "integration's client secret is never sent: give the Connection's own client_id and client_secret (or key)",
    };
  }
  try {
    tokenUrl = tokenUrlOf(integration, connection, userHost);
    params = tokenParams(integration, connection);
  } catch (error) {
    return { missing: (error as Error).message }; // names the placeholder the Connection lacks, never a value
  }
  if (!tokenUrl) {
    return {
      missing: `integration '${integration.name}' has no token URL: set integrations.${integration.name}.oauth.token_url`,
    };
  }
  const basic = provider?.token_request_auth_method === 'basic' || integration.oauth?.clientAuth === 'basic';
  const request: ClientCredentialsRequest = {
    tokenUrl,
    client: { method: basic ? ('basic' as const) : ('body' as const), clientId, clientSecret: secret ?? '' },
    params,
    bodyFormat: provider?.body_format === 'json' ? 'json' : provider?.body_format === 'query' ? 'query' : 'form',
    headers: provider?.token_headers ?? {},
    timeoutMs,
    userHost,
  };
  return { request, privateKey };
}

/**
 * The integration's token URL, or its catalog entry's, filled for the Connection (base_url's host rules; a host the
 * user types only when `userHost`, for the Connection's own client).
 */
function tokenUrlOf(integration: IntegrationConfig, connection: NangoConnection, userHost: boolean): string | undefined {
  const { oauth, provider } = integration;
  if (oauth?.tokenUrl) return oauth.tokenUrl;
  if (oauth?.tokenUrlTemplate) {
    const rendered = renderTemplate(oauth.tokenUrlTemplate, connection, { baseUrl: true });
    const problem = userHost && URL.canParse(rendered) ? userHostProblem(new URL(rendered)) : undefined;
    if (problem) throw new Error(`${oauth.tokenUrlTemplate.path}: the host made with this connection's values ${problem}`);
    return rendered;
  }
  const catalog = provider?.token_url;
  if (typeof catalog !== 'string') return undefined;
  return renderCatalogText(integration, connection, catalog, 'token_url', { url: true, userHost });
}

/**
 * Whether the token URL's host (or domain) is a value the user types (`https://${connectionConfig.hostname}/token`,
 * the catalog's: a URL written in integrations.yaml is taken as written): then only the Connection's own client goes
 * there, through the address guard. A field the catalog closes to a list of its own is the catalog's text.
 */
function catalogTokenHostIsTyped(integration: IntegrationConfig): boolean {
  const { oauth, provider } = integration;
  if (oauth?.tokenUrl) return false;
  const closed = closedValues(provider);
  if (oauth?.tokenUrlTemplate) return userHostKeys(oauth.tokenUrlTemplate).some((key) => !closed.has(key));
  return typeof provider?.token_url === 'string' && userHostFields(provider.token_url, closed).length > 0;
}

/**
 * The catalog's token_params filled with the Connection's config (one whose value the Connection lacks is left out:
 * Auth0's optional organization), and `scope`: the integration's scopes, else the Connection's `oauth_scopes`, else
 * the entry's default_scopes, joined with its scope_separator.
 */
function tokenParams(integration: IntegrationConfig, connection: NangoConnection): Record<string, string> {
  const { provider } = integration;
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(provider?.token_params ?? {})) {
    if (typeof value !== 'string') continue;
    const text = renderCatalogText(integration, connection, value, `token_params.${name}`, { optional: true });
    if (text !== undefined && text !== '') params[name] = text;
  }
  const configured = integration.oauth?.scopes ?? [];
  const given = connection.additionalConfig['oauth_scopes'];
  const scopes =
    configured.length > 0 ? configured : typeof given === 'string' && given !== '' ? [given] : (provider?.default_scopes ?? []);
  if (scopes.length > 0 && params['scope'] === undefined) params['scope'] = scopes.join(provider?.scope_separator ?? ' ');
  return params;
}

/** What is stored from a token response: Nango's OAUTH2_CC shape, the user's own client kept for the next fetch. */
function tokenCredentials(
  previous: StoredCredentials,
  response: Record<string, unknown>,
  now: number,
  clientId: string,
  millis: boolean,
): StoredCredentials {
  const next: StoredCredentials = { token: response['access_token'], raw: response };
  const raw = response['expires_in'];
  const amount = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof amount === 'number' && Number.isFinite(amount) && amount > 0 && amount < 8e12) {
    next['expires_at'] = new Date(now + (millis ? amount : amount * 1000)).toISOString();
  }
  next['client_id'] = clientId;
  for (const field of CLIENT_FIELDS) {
    if (field !== 'client_id' && typeof previous[field] === 'string') next[field] = previous[field];
  }
  return next;
}
