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

  it('refuses a URL whose placeholder makes up the whole host or its domain (the catalog must fix the domain)', () => {
    const error = refusal(() =>
      interpolateUrl('https://${connectionConfig.hostname}/oauth/token', { hostname: 'acme' }, 'token_url'),
    );
    expect(error.type).toBe('provider_config_err');
    expect(error.message).toContain('${connectionConfig.hostname}');
    expect(refusal(() => interpolateUrl('https://login.${connectionConfig.tld}/x', { tld: 'com' }, 'token_url')).type).toBe(
      'provider_config_err',
    );
  });

  it("lets a value of the catalog's own list (enum) stand anywhere, a domain included", () => {
    const zoho = 'https://accounts.zoho.${connectionConfig.extension}/oauth/v2/token';
    const closed = new Map([['extension', ['com', 'eu', 'com.au']]]);
    expect(interpolateUrl(zoho, { extension: 'com.au' }, 'token_url', closed)).toBe(
      'https://accounts.zoho.com.au/oauth/v2/token',
    );
    // A value outside the list is not the catalog's: the domain rule applies, and refuses it.
    expect(refusal(() => interpolateUrl(zoho, { extension: 'evil.example' }, 'token_url', closed)).type).toBe(
      'provider_config_err',
    );
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
