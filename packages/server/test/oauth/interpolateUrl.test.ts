import { interpolateUrl } from '../../src/oauth/flow/interpolateUrl';
import { OAuthFlowError } from '../../src/oauth/flow/OAuthFlowError';

function refusal(run: () => unknown): OAuthFlowError {
  try {
    run();
  } catch (error) {
    if (error instanceof OAuthFlowError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('interpolateUrl: per-tenant values in authorization and token URLs', () => {
  const zendesk = 'https://${connectionConfig.subdomain}.zendesk.com/oauth/tokens';

  it('fills one DNS label of a host whose domain the catalog writes', () => {
    expect(interpolateUrl(zendesk, { subdomain: 'acme-co' }, 'token_url')).toBe('https://acme-co.zendesk.com/oauth/tokens');
    // The 2023 spelling too.
    expect(interpolateUrl('https://${connectionConfig.params.subdomain}.zendesk.com', { subdomain: 'a' }, 'x')).toBe(
      'https://a.zendesk.com',
    );
  });

  it('refuses a host value with a dot, or that is not a label, before anything is sent', () => {
    for (const value of ['acme.evil.example', 'evil.example/x?', '-acme', 'a_b']) {
      const error = refusal(() => interpolateUrl(zendesk, { subdomain: value }, 'token_url'));
      expect(error.type).toBe('url_param_err');
      expect(error.message).not.toContain(value);
    }
    expect(refusal(() => interpolateUrl(zendesk, {}, 'token_url')).message).toBe(
      "The provider's token_url needs params[subdomain] in the connect request (frontend: auth(…, { params: { subdomain: … } }))",
    );
  });

  it('takes values elsewhere when made of unreserved characters only', () => {
    const url = 'https://api.example.com/${connectionConfig.tenant}/authorize?site=${connectionConfig.site}';
    expect(interpolateUrl(url, { tenant: 'acme.eu', site: 'x_1~' }, 'authorization_url')).toBe(
      'https://api.example.com/acme.eu/authorize?site=x_1~',
    );
    expect(refusal(() => interpolateUrl(url, { tenant: 'a/b', site: 'x' }, 'authorization_url')).type).toBe('url_param_err');
  });

  it('takes a host the user types (a self-hosted instance) where only the browser goes, a host name only', () => {
    const authorize = 'https://${connectionConfig.hostname}/oauth/authorize';
    expect(interpolateUrl(authorize, { hostname: 'gitlab.acme.example' }, 'authorization_url')).toBe(
      'https://gitlab.acme.example/oauth/authorize',
    );
    expect(interpolateUrl('https://login.${connectionConfig.tld}/x', { tld: 'acme.example' }, 'authorization_url')).toBe(
      'https://login.acme.example/x',
    );
    for (const value of ['127.0.0.1', '0x7f.1', '169.254.169.254', 'a..b', 'host_1']) {
      const error = refusal(() => interpolateUrl(authorize, { hostname: value }, 'authorization_url'));
      expect(error.type).toBe('url_param_err');
      expect(error.message).not.toContain(value);
    }
    // A port or path in the value is not unreserved: a placeholder cannot fill the port.
    expect(refusal(() => interpolateUrl(authorize, { hostname: 'acme.example:8443' }, 'authorization_url')).type).toBe(
      'url_param_err',
    );
  });

  it("never sends the integration's client secret to a host the user types", () => {
    const error = refusal(() =>
      interpolateUrl('https://${connectionConfig.hostname}/oauth/token', { hostname: 'acme.example' }, 'token_url', undefined, {
        sendsIntegrationClient: true,
      }),
    );
    expect(error.type).toBe('provider_config_err');
    expect(error.message).toContain('client secret is never sent to such a host');
    // A tenant label under a domain the catalog writes is not a typed host: the secret goes to the provider.
    expect(interpolateUrl(zendesk, { subdomain: 'acme' }, 'token_url', undefined, { sendsIntegrationClient: true })).toBe(
      'https://acme.zendesk.com/oauth/tokens',
    );
  });

  it("lets a value of the catalog's own list (enum) stand anywhere, a domain included", () => {
    const zoho = 'https://accounts.zoho.${connectionConfig.extension}/oauth/v2/token';
    const closed = new Map([['extension', ['com', 'eu', 'com.au']]]);
    expect(interpolateUrl(zoho, { extension: 'com.au' }, 'token_url', closed)).toBe(
      'https://accounts.zoho.com.au/oauth/v2/token',
    );
    // A value outside the list is not the catalog's: a domain the user types, which the client secret never reaches.
    const outside = () =>
      interpolateUrl(zoho, { extension: 'evil.example' }, 'token_url', closed, { sendsIntegrationClient: true });
    expect(refusal(outside).type).toBe('provider_config_err');
  });

  it("takes the first of Nango's `A || B` alternatives whose values are all given", () => {
    const salesforce =
      'https://${connectionConfig.subdomain}.my.example.com/services/oauth2/token || https://login.example.com/services/oauth2/token';
    expect(interpolateUrl(salesforce, { subdomain: 'acme' }, 'token_url')).toBe(
      'https://acme.my.example.com/services/oauth2/token',
    );
    expect(interpolateUrl(salesforce, {}, 'token_url')).toBe('https://login.example.com/services/oauth2/token');
    expect(interpolateUrl(salesforce, { subdomain: '' }, 'token_url')).toBe('https://login.example.com/services/oauth2/token');
  });

  it('refuses a host that the values make an IP address', () => {
    const url = 'http://${connectionConfig.a}.0.0.1/token';
    expect(refusal(() => interpolateUrl(url, { a: '127' }, 'token_url')).type).toMatch(/url_param_err|provider_config_err/);
  });
});
