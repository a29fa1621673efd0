import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../../src/config/loadIntegrationsConfig';
import { loadProviderCatalog } from '../../src/providers/loadProviderCatalog';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'providers-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function userFile(text: string): string {
  const file = path.join(dir, 'my-providers.yaml');
  writeFileSync(file, text);
  return file;
}

/** The problems of a user file that must not load; fails the test when it loads. */
function problemsOf(text: string): string[] {
  try {
    loadProviderCatalog({ file: userFile(text) });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError, but the catalog loaded');
}

describe('loadProviderCatalog', () => {
  it('loads the built-in catalog, sorted, frozen', () => {
    const catalog = loadProviderCatalog({});
    const github = catalog.get('github');
    expect(github).toMatchObject({ name: 'github', auth_mode: 'OAUTH2', proxy: { base_url: 'https://api.github.com' } });
    const names = catalog.list().map((provider) => provider.name);
    expect(names).toEqual([...names].sort());
    expect(Object.isFrozen(github?.proxy)).toBe(true);
    expect(catalog.get('__proto__')).toBeUndefined();
    expect(catalog.get('toString')).toBeUndefined();
  });

  it('merges a user file field by field and adds new providers', () => {
    const catalog = loadProviderCatalog({
      file: userFile(`
github:
  token_url: http://127.0.0.1:9999/token
  proxy:
    base_url: http://127.0.0.1:9999/api
my-api:
  auth_mode: API_KEY
  proxy:
    base_url: https://api.example.com
    headers:
      authorization: Bearer \${apiKey}
`),
    });
    expect(catalog.get('github')).toMatchObject({
      token_url: 'http://127.0.0.1:9999/token',
      authorization_url: 'https://github.com/login/oauth/authorize',
      proxy: { base_url: 'http://127.0.0.1:9999/api', headers: { accept: 'application/vnd.github+json' } },
    });
    expect(catalog.get('my-api')?.proxy?.headers).toEqual({ authorization: 'Bearer ${apiKey}' });
  });

  it('takes an entry that names its auth_mode or alias as a whole provider, replacing the built-in one', () => {
    const builtin = loadProviderCatalog({});
    expect(builtin.get('github')?.proxy?.headers).toBeDefined();
    expect(builtin.get('attio')?.disable_pkce).toBe(true);
    const catalog = loadProviderCatalog({
      file: userFile(`
github:
  auth_mode: OAUTH2
  authorization_url: https://github.com/login/oauth/authorize
  token_url: https://github.com/login/oauth/access_token
  proxy:
    base_url: https://api.github.com
my-base:
  auth_mode: OAUTH2
  authorization_url: https://base.example.com/authorize
  token_url: https://base.example.com/token
  proxy:
    base_url: https://api.base.example.com
attio:
  alias: my-base
  display_name: Attio
`),
    });
    expect(catalog.get('github')?.proxy).toEqual({ base_url: 'https://api.github.com' });
    const attio = catalog.get('attio');
    expect(attio).toMatchObject({ display_name: 'Attio', token_url: 'https://base.example.com/token' });
    expect(attio?.disable_pkce).toBeUndefined();
    expect(attio?.proxy).toEqual({ base_url: 'https://api.base.example.com' });
  });

  it('resolves aliases, tolerates unknown fields and auth modes, and stringifies params', () => {
    const catalog = loadProviderCatalog({
      file: userFile(`
github-enterprise:
  alias: github
  display_name: GitHub Enterprise
  authorization_url: https://\${connectionConfig.hostname}/login/oauth/authorize
  post_connection_script: whatever
  webhook_routing_script: whatever
odd:
  auth_mode: TWO_STEP
  token_params:
    expires_in: 3600
    offline: true
  credentials:
    apiKey: { type: string, secret: true }
`),
    });
    expect(catalog.get('github-enterprise')).toMatchObject({
      name: 'github-enterprise',
      alias: 'github',
      auth_mode: 'OAUTH2',
      display_name: 'GitHub Enterprise',
      authorization_url: 'https://${connectionConfig.hostname}/login/oauth/authorize',
      token_url: 'https://github.com/login/oauth/access_token',
    });
    expect(catalog.get('odd')?.token_params).toEqual({ expires_in: '3600', offline: 'true' });
  });

  it("reads the shapes of Nango's current catalog: token URL per auth mode, other body formats, nested params", () => {
    const catalog = loadProviderCatalog({
      file: userFile(`
app-and-oauth:
  display_name: Both
  categories: [dev-tools]
  auth_mode: APP
  token_url:
    OAUTH2: https://example.com/login/oauth/access_token
    APP: https://api.example.com/app/installations/\${connectionConfig.installation_id}/access_tokens
  docs_connect: https://example.com/connect
  setup_guide_url: https://example.com/guide
basic-token:
  auth_mode: OAUTH2_CC
  token_url: https://example.com/token
  token_request_auth_method: basic
  body_format: xml
  token_params:
    request:
      control: { senderid: x }
  token_headers:
    content-type: application/xml
  credentials:
    username: { type: string }
    password: { type: string, secret: true }
  proxy:
    base_url: https://example.com
    verification: { method: GET, endpoints: [/me] }
    decompress: true
`),
    });
    expect(catalog.get('app-and-oauth')?.token_url).toBe(
      'https://api.example.com/app/installations/${connectionConfig.installation_id}/access_tokens',
    );
    expect(catalog.get('basic-token')).toMatchObject({
      authorization_method: 'header',
      body_format: 'xml',
      token_params: { request: { control: { senderid: 'x' } } },
    });
  });

  it('reports every problem at once, with the file and the path', () => {
    const problems = problemsOf(`
bad name!:
  auth_mode: OAUTH2
a:
  auth_mode: 3
  scope_separator: [',']
  disable_pkce: 'yes'
  proxy:
    headers:
      x: { y: 1 }
b:
  alias: nowhere
c:
  display_name: No auth mode
loop1:
  alias: loop2
loop2:
  alias: loop1
`);
    const file = path.join(dir, 'my-providers.yaml');
    expect(problems).toEqual(
      expect.arrayContaining([
        `${file}: bad name!: is not a valid provider name: use letters, digits, _, . and -`,
        `${file}: a.auth_mode: must be string`,
        `${file}: a.scope_separator: must be string`,
        `${file}: a.disable_pkce: must be boolean`,
        `${file}: a.proxy.headers.x: must be string`,
      ]),
    );
    expect(problems).toHaveLength(5);
  });

  it('after the shape, reports alias and auth_mode problems with their paths', () => {
    const problems = problemsOf(`
b:
  alias: nowhere
c:
  display_name: No auth mode
loop1:
  alias: loop2
loop2:
  alias: loop1
`);
    const file = path.join(dir, 'my-providers.yaml');
    expect(problems).toEqual([
      `${file}: b.alias: no provider named "nowhere" in the catalog`,
      `${file}: c.auth_mode is required (here or in the provider it is an alias of)`,
      `${file}: loop1.alias: alias loop loop1 -> loop2 -> loop1`,
      `${file}: loop2.alias: alias loop loop2 -> loop1 -> loop2`,
    ]);
  });

  it('reports a post_connection that is not in the format, with the file and the path', () => {
    const problems = problemsOf(`
tenant-api:
  auth_mode: OAUTH2
  post_connection:
    endpoint: /me
    store:
      accountId: 'accounts[0'
`);
    expect(problems).toEqual([
      `${path.join(dir, 'my-providers.yaml')}: tenant-api.post_connection.store.accountId: the path "accounts[0" is not keys and [n] or [key=value] indexes (at character 9)`,
    ]);
  });

  it('names an unreadable file and a YAML syntax error', () => {
    expect(() => loadProviderCatalog({ file: path.join(dir, 'missing.yaml') })).toThrow(
      /missing\.yaml: cannot read the file \(ENOENT\)/,
    );
    expect(problemsOf('a: [unclosed\n')[0]).toMatch(/my-providers\.yaml:\d+:\d+: /);
  });
});
