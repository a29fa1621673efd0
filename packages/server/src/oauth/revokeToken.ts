import { addressRefusal, guardedFetchOptions } from '../net/addressGuard';
import { closedValues } from '../providers/fieldDescriptions';
import { userHostFields } from './flow/interpolateUrl';
import type { NangoConnection } from '@nangohq/protocol';
import type { IntegrationConfig } from '../config/types';
import type { ProviderRevocation } from '../providers/Provider';
import { formEncode } from './requestToken';
import { scrubSecrets } from './scrubSecrets';
import { inHttpClientSpan } from '../tracing/inHttpClientSpan';

/** What a revocation did: `skipped` when there is nothing to call, with the reason. */
export type RevocationOutcome = { kind: 'revoked'; status: number } | { kind: 'skipped'; reason: string };

/** A failed revocation; its message holds the status and the provider's error, never a token or secret. */
export class RevocationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RevocationError';
  }
}

/**
 * Revokes the token of an OAuth 2 Connection at its provider's revocation endpoint (the catalog's `revocation_url`,
 * called as `revocation` says, RFC 7009 by default), with a time limit. Skipped when the integration's provider has
 * no endpoint, the Connection has no token, or the URL needs a per-Connection value the Connection lacks.
 * @throws RevocationError when the provider could not be reached in time or refused (any non-2xx status)
 */
export async function revokeToken(
  integration: IntegrationConfig,
  connection: NangoConnection,
  timeoutMs: number,
): Promise<RevocationOutcome> {
  const provider = integration.provider;
  if (!provider?.revocation_url) return { kind: 'skipped', reason: 'the provider has no revocation_url' };
  if (integration.authMode !== 'OAUTH2') return { kind: 'skipped', reason: `${integration.authMode} Connection` };
  const url = fillUrl(provider.revocation_url, connection.additionalConfig);
  if (url === undefined) return { kind: 'skipped', reason: 'the revocation_url needs a value the Connection lacks' };

  const how: ProviderRevocation = provider.revocation ?? {};
  const accessToken = stringOf(connection.credentials['access_token']);
  const refreshToken = stringOf(connection.credentials['refresh_token']);
  const auth = how.auth ?? (provider.authorization_method === 'header' ? 'client_basic' : 'client_body');
  const which = auth === 'bearer' ? 'access_token' : (how.token ?? (refreshToken ? 'refresh_token' : 'access_token'));
  const token = which === 'refresh_token' ? refreshToken : accessToken;
  if (!token) return { kind: 'skipped', reason: `the Connection has no ${which}` };
  const clientId = integration.oauth?.clientId;
  const clientSecret = integration.oauth?.clientSecret;
  // A host the user types (config/userHost.ts) never receives the integration's client, and is reached only through
  // the address guard.
  const userHost = userHostFields(provider.revocation_url, closedValues(provider)).length > 0;
  if (userHost && (auth === 'client_basic' || auth === 'client_body') && clientId !== undefined) {
    return { kind: 'skipped', reason: "the revocation_url's host is a value the user types, where the client is never sent" };
  }

  const headers: Record<string, string> = { accept: 'application/json' };
  const fields: Record<string, string> = {};
  if (auth === 'bearer') {
    headers['authorization'] = `Bearer ${token}`;
  } else {
    fields[how.token_param ?? 'token'] = token;
    fields['token_type_hint'] = which;
    if (auth === 'client_basic' && clientId !== undefined) {
      // RFC 6749 2.3.1: id and secret are form-encoded before they are joined and base64-encoded.
      const pair = `${formEncode(clientId)}:${formEncode(clientSecret ?? '')}`;
      headers['authorization'] = `Basic ${Buffer.from(pair).toString('base64')}`;
    } else if (auth === 'client_body' && clientId !== undefined) {
      fields['client_id'] = clientId;
      if (clientSecret !== undefined) fields['client_secret'] = clientSecret;
    }
  }
  const method = how.method ?? 'POST';
  let target = url;
  let body: string | undefined;
  if (auth !== 'bearer') {
    if (method === 'GET') {
      const withQuery = new URL(url);
      for (const [name, value] of Object.entries(fields)) withQuery.searchParams.set(name, value);
      target = withQuery.toString();
    } else if (how.body_format === 'json') {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(fields);
    } else {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(fields).toString();
    }
  }

  const secrets = [accessToken, refreshToken, clientSecret];
  let response: Response;
  let text: string;
  try {
    const guard = userHost ? guardedFetchOptions(new URL(target)) : {};
    const signal = AbortSignal.timeout(timeoutMs);
    const send = () => fetch(target, { ...guard, method, headers, body, redirect: 'manual', signal });
    response = await inHttpClientSpan(method, target, send, { 'nango.token_request': 'revoke' });
    text = await response.text();
  } catch (error) {
    const refusal = addressRefusal(error);
    if (refusal) throw new RevocationError(refusal.message);
    const name = (error as { name?: unknown }).name;
    if (name === 'TimeoutError' || name === 'AbortError') throw new RevocationError(`no answer within ${timeoutMs} ms`);
    const cause = (error as { cause?: { code?: unknown } }).cause;
    throw new RevocationError(
      `could not reach the revocation endpoint${typeof cause?.code === 'string' ? ` (${cause.code})` : ''}`,
    );
  }
  if (response.status < 200 || response.status >= 300) {
    const reason = scrubSecrets(text.replace(/\s+/g, ' ').trim(), secrets).slice(0, 200);
    throw new RevocationError(`HTTP ${response.status}${reason ? ` ${reason}` : ''}`);
  }
  return { kind: 'revoked', status: response.status };
}

/** The URL with its `${connectionConfig.<name>}` parts filled; undefined when a value is missing or not a host label. */
function fillUrl(template: string, config: Record<string, unknown>): string | undefined {
  let missing = false;
  const filled = template.replace(/\$\{connectionConfig\.([A-Za-z0-9_]+)\}/g, (_, name: string) => {
    const value = config[name];
    if (typeof value !== 'string' || !/^[A-Za-z0-9.-]+$/.test(value)) missing = true;
    return typeof value === 'string' ? value : '';
  });
  return missing || filled.includes('${') ? undefined : filled;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
