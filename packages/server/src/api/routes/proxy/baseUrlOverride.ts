import type { IntegrationConfig } from '../../../config/types';
import { apiError } from '../../ApiError';

/**
 * The integration with its base_url replaced by a `Base-Url-Override`, whose host `allowedHosts` must allow when set
 * (`api.example.com` exactly, `*.example.com` any subdomain of it). Headers, query params and credentials stay the
 * integration's: the caller holds the secret key, which can read the credentials anyway.
 * @throws WorkerError `base_url_not_allowed`, `invalid_request` for a URL that does not parse
 */
export function withBaseUrlOverride(
  integration: IntegrationConfig,
  override: string,
  allowedHosts: readonly string[] | undefined,
): IntegrationConfig {
  if (!URL.canParse(override)) throw apiError('invalid_request', 'The Base-Url-Override header is not a valid URL');
  const host = new URL(override).hostname.toLowerCase();
  if (allowedHosts !== undefined && !allowedHosts.some((pattern) => hostMatches(host, pattern.toLowerCase()))) {
    throw apiError('base_url_not_allowed', `Base-Url-Override host ${host} is not among NANGO_PROXY_ALLOWED_HOSTS`);
  }
  return { ...integration, baseUrl: { source: override, path: 'the Base-Url-Override header', parts: [override] } };
}

function hostMatches(host: string, pattern: string): boolean {
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return host === pattern;
}
