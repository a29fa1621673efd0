import type { Provider } from '../../providers/Provider';

/** Longest value kept from a provider's answer: config values are ids, hosts and URLs. */
const MAX_VALUE = 2048;

/**
 * The token-response fields a catalog entry names in `token_response_metadata` (Salesforce's `instance_url`, Slack's
 * `team.id`: a dotted name reads a nested field and is kept under that dotted name, as Nango keeps it), copied into
 * the Connection's config. Only text, numbers and booleans are kept; other values, and longer text, are left out.
 */
export function tokenResponseMetadata(provider: Provider, response: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const name of provider.token_response_metadata ?? []) {
    const value = Object.prototype.hasOwnProperty.call(response, name) ? response[name] : atPath(response, name.split('.'));
    if (isKept(value)) kept[name] = value;
  }
  return kept;
}

/**
 * The callback query parameters a catalog entry names in `redirect_uri_metadata` (QuickBooks' `realmId`, a Walmart
 * seller id), copied into the Connection's config; text only, as the query carries it.
 */
export function redirectMetadata(provider: Provider, query: Readonly<Record<string, unknown>>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of provider.redirect_uri_metadata ?? []) {
    const value = Object.prototype.hasOwnProperty.call(query, name) ? query[name] : undefined;
    if (typeof value === 'string' && value !== '' && value.length <= MAX_VALUE) kept[name] = value;
  }
  return kept;
}

function atPath(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || !Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function isKept(value: unknown): boolean {
  if (typeof value === 'string') return value.length <= MAX_VALUE;
  return typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}
