import { mockTargetAt, mockedUrl, soleHostOwners } from './mockUrls';

describe("the catalog walk's hosts", () => {
  const entries = {
    'linear-mcp': {
      auth_mode: 'MCP_OAUTH2',
      token_url: 'https://mcp.linear.app/token',
      registration_url: 'https://mcp.linear.app/register',
      docs: 'https://docs.example.com/linear',
    },
    one: { auth_mode: 'OAUTH2', token_url: 'https://auth.shared.com/token', proxy: { base_url: 'https://api.one.com' } },
    two: { auth_mode: 'OAUTH2', token_url: 'https://auth.shared.com/token || https://other.two.com/t' },
    zendesk: { auth_mode: 'OAUTH2', token_url: 'https://${connectionConfig.subdomain}.zendesk.com/oauth/tokens' },
    fields: { connection_config: { instance_url: 'https://fields.example.com' } },
  };

  it('names the entry of each host only one entry calls, leaving out shared hosts, placeholders, docs and input fields', () => {
    expect(Object.fromEntries(soleHostOwners(entries))).toEqual({
      'mcp.linear.app': 'linear-mcp',
      'api.one.com': 'one',
      'other.two.com': 'two',
    });
  });

  it("reads a path the walk wrote as written, and another path on an entry's sole host as that entry's API", () => {
    const owners = soleHostOwners(entries);
    const written = new URL(mockedUrl('https://mcp.linear.app/token', 'linear-mcp', 'token_url', 4000));
    expect(mockTargetAt(written.hostname, written.pathname, owners)).toEqual({
      owner: 'linear-mcp',
      role: 'token_url',
      rest: '/token',
    });
    // Where the server proxies linear-mcp: its token URL's origin (no proxy.base_url, no resource).
    expect(mockTargetAt('MCP.linear.app', '/catalog-walk', owners)).toEqual({
      owner: 'linear-mcp',
      role: 'base_url',
      rest: '/catalog-walk',
    });
    expect(mockTargetAt('auth.shared.com', '/catalog-walk', owners)).toBeUndefined();
    expect(mockTargetAt('127.0.0.1', '/anything', owners)).toBeUndefined();
  });
});
