import { OAuthFlowError } from './OAuthFlowError';

/** `${connectionConfig.name}` (today's catalog) or `${connectionConfig.params.name}` (the 2023 form). */
const PLACEHOLDER = /\$\{connectionConfig\.(?:params\.)?([A-Za-z0-9_-]+)\}/g;

/** RFC 3986 unreserved characters: such a value cannot move the URL to another host, path or query. */
const UNRESERVED = /^[A-Za-z0-9._~-]+$/;

/**
 * Fills a catalog URL's `${connectionConfig.<name>}` placeholders from the Connection's config (the `params[…]` of
 * the connect request). A value must be made of unreserved characters: `acme`, `acme.example.com`. Otherwise a
 * user could write `evil.example/x?` into `https://${connectionConfig.subdomain}.zendesk.com` and send the
 * authorization code, with the client secret, to a host of their choosing.
 * @param what names the URL in error messages, e.g. `token_url`
 * @throws OAuthFlowError `url_param_err`
 */
export function interpolateUrl(template: string, config: Readonly<Record<string, string>>, what: string): string {
  const url = template.replace(PLACEHOLDER, (_whole, name: string) => {
    const value = Object.prototype.hasOwnProperty.call(config, name) ? config[name] : undefined;
    if (value === undefined || value === '') {
      throw new OAuthFlowError(
        'url_param_err',
        `The provider's ${what} needs params[${name}] in the connect request (frontend: auth(…, { params: { ${name}: … } }))`,
      );
    }
    if (!UNRESERVED.test(value)) {
      throw new OAuthFlowError('url_param_err', `params[${name}] may hold only letters, digits, '.', '-', '_' and '~'`);
    }
    return value;
  });
  if (url.includes('${'))
    throw new OAuthFlowError('provider_config_err', `The provider's ${what} has a placeholder this server cannot fill`);
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('not http');
    return url;
  } catch {
    throw new OAuthFlowError('provider_config_err', `The provider's ${what} is not an http(s) URL`);
  }
}

/** `url` with `params` appended to its query, percent-encoded (spaces as %20, which every provider reads). */
export function withQuery(url: string, params: Iterable<readonly [string, string]>): string {
  const pairs = [...params].map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  if (pairs.length === 0) return url;
  const [base, fragment] = splitFragment(url);
  const separator = base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?';
  return `${base}${separator}${pairs.join('&')}${fragment}`;
}

function splitFragment(url: string): [string, string] {
  const hash = url.indexOf('#');
  return hash === -1 ? [url, ''] : [url.slice(0, hash), url.slice(hash)];
}
