import type { NangoConnection } from '@nangohq/protocol';
import type { IntegrationConfig } from '../../../config/types';
import { checkOverrideHost, parseAllowList } from '../../../outbound/overrideHost';
import { connectionBaseUrl } from '../../../outbound/resolveUrl';
import { apiError } from '../../ApiError';

/**
 * The integration with its base_url replaced by a `Base-Url-Override`. The Connection's credentials go with the call,
 * so its host must be the integration's own (its base_url for this Connection, or its catalog entry's
 * `proxy.base_url`, host and port) unless NANGO_PROXY_ALLOWED_HOSTS allows more: `*` any host, `*.example.com` any
 * subdomain, or a host itself; link-local and cloud metadata hosts only by an entry of their own (see overrideHost).
 * @throws WorkerError `base_url_not_allowed`, `invalid_request` for a URL that does not parse, is not http(s) or
 *   carries user info
 */
export function withBaseUrlOverride(
  integration: IntegrationConfig,
  connection: NangoConnection,
  override: string,
  allowedHosts: readonly string[] | undefined,
): IntegrationConfig {
  if (!URL.canParse(override)) throw apiError('invalid_request', 'The Base-Url-Override header is not a valid URL');
  const target = new URL(override);
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw apiError('invalid_request', 'The Base-Url-Override header must be an http or https URL');
  }
  if (target.username !== '' || target.password !== '') {
    throw apiError('invalid_request', 'The Base-Url-Override header must not carry user info (user:password@)');
  }
  const verdict = checkOverrideHost(target, ownUrls(integration, connection), parseAllowList(allowedHosts).list);
  if (!verdict.allowed) throw apiError('base_url_not_allowed', verdict.why);
  return { ...integration, baseUrl: { source: override, path: 'the Base-Url-Override header', parts: [override] } };
}

/** The integration's own base URLs: base_url as this Connection renders it, and the catalog's when it is literal. */
function ownUrls(integration: IntegrationConfig, connection: NangoConnection): URL[] {
  const urls: URL[] = [];
  try {
    const rendered = connectionBaseUrl(integration, connection);
    if (URL.canParse(rendered)) urls.push(new URL(rendered));
  } catch {
    // A base_url this Connection cannot render gives no own host; the call would fail without the override too.
  }
  const catalog = integration.provider?.proxy?.base_url;
  if (catalog !== undefined && !catalog.includes('${') && URL.canParse(catalog)) urls.push(new URL(catalog));
  return urls;
}
