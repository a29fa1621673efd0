import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { catalogModeOf, RUN_MODES } from '../../src/config/authModeNames';
import { ConfigError, parseIntegrationsConfig } from '../../src/config/loadIntegrationsConfig';
import type { IntegrationsConfig, Template } from '../../src/config/types';
import { loadProviderCatalog } from '../../src/providers/loadProviderCatalog';
import type { ProviderCatalog } from '../../src/providers/Provider';

const DIR = path.resolve('integrations');
const ENV = { GITHUB_CLIENT_ID: 'id', GITHUB_CLIENT_SECRET: 'secret' };
const builtin = loadProviderCatalog({});
/** The modes a refusal says this server runs (each helper's mode adds one). */
const RUNS = [...RUN_MODES].map(catalogModeOf).join(', ');

function parse(text: string, providers: ProviderCatalog = builtin, listDir = (_dir: string): string[] => []): IntegrationsConfig {
  return parseIntegrationsConfig(text, {
    sourceName: 'integrations.yaml',
    integrationsDir: DIR,
    env: ENV,
    fileExists: () => true,
    listDir,
    providers,
  });
}

function problemsOf(text: string, providers: ProviderCatalog = builtin): string[] {
  try {
    parse(text, providers);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError, but the config loaded');
}

/** A template as text, placeholders written back in integrations.yaml's syntax. */
function text(template: Template | undefined): string | undefined {
  if (!template) return undefined;
  return template.parts
    .map((part) => {
      if (typeof part === 'string') return part;
      if (part.kind === 'credential') return `\${${part.field}}`;
      if (part.kind === 'config') return `\${additionalConfig.${part.path.join('.')}}`;
      return '${userId}';
    })
    .join('');
}

describe('integrations.yaml: provider:', () => {
  it('inherits auth mode, base URL, headers and the OAuth token URL from the catalog', () => {
    const github = parse(`
integrations:
  github:
    provider: github
    oauth:
      client_id: \${GITHUB_CLIENT_ID}
      client_secret: \${GITHUB_CLIENT_SECRET}
      scopes: [repo, read:user]
`).integrations.get('github');
    expect(github?.authMode).toBe('OAUTH2');
    expect(text(github?.baseUrl)).toBe('https://api.github.com');
    expect([...(github?.headers.keys() ?? [])]).toEqual(['accept', 'x-github-api-version']);
    expect(github?.oauth).toMatchObject({
      clientId: 'id',
      clientSecret: 'secret',
      tokenUrl: 'https://github.com/login/oauth/access_token',
      scopes: ['repo', 'read:user'],
      clientAuth: 'body',
    });
    expect(github?.provider?.name).toBe('github');
    expect(github?.provider?.authorization_url).toBe('https://github.com/login/oauth/authorize');
  });

  it('lets the integration override, field by field, header names compared without case', () => {
    const github = parse(`
integrations:
  github:
    provider: github
    base_url: https://github.example.com/api/v3
    headers:
      Accept: application/json
      X-Extra: yes
    oauth:
      token_url: https://github.example.com/login/oauth/access_token
`).integrations.get('github');
    expect(text(github?.baseUrl)).toBe('https://github.example.com/api/v3');
    expect(Object.fromEntries([...(github?.headers ?? [])].map(([name, value]) => [name, text(value)]))).toEqual({
      'x-github-api-version': '2022-11-28',
      Accept: 'application/json',
      'X-Extra': 'yes',
    });
    expect(github?.oauth?.tokenUrl).toBe('https://github.example.com/login/oauth/access_token');
  });

  it("translates the catalog's placeholders, including a per-tenant token URL for the refresher", () => {
    const config = parse(`
integrations:
  zendesk:
    provider: zendesk
  shopify:
    provider: shopify
  sendgrid:
    provider: sendgrid
  freshdesk:
    provider: freshdesk
  figma:
    provider: figma
`);
    const zendesk = config.integrations.get('zendesk');
    expect(text(zendesk?.baseUrl)).toBe('https://${additionalConfig.subdomain}.zendesk.com');
    expect(zendesk?.oauth?.tokenUrl).toBeUndefined();
    expect(text(zendesk?.oauth?.tokenUrlTemplate)).toBe('https://${additionalConfig.subdomain}.zendesk.com/oauth/tokens');
    expect(text(config.integrations.get('shopify')?.headers.get('x-shopify-access-token'))).toBe('${access_token}');
    const sendgrid = config.integrations.get('sendgrid');
    expect(sendgrid?.authMode).toBe('API_KEY');
    expect(text(sendgrid?.headers.get('authorization'))).toBe('Bearer ${api_key}');
    expect(config.integrations.get('freshdesk')?.authMode).toBe('USERNAME_PASSWORD');
    // Figma refreshes at its own URL, with client credentials as Basic auth.
    expect(config.integrations.get('figma')?.oauth).toMatchObject({
      tokenUrl: 'https://api.figma.com/v1/oauth/refresh',
      clientAuth: 'basic',
    });
  });

  it.each(builtin.list().map((provider) => [provider.name]))('compiles an integration of the built-in %s as it is', (name) => {
    // What a mode needs of the integration itself besides an OAuth client: AWS_SIGV4 the principal that assumes roles.
    const aws =
      builtin.get(name)?.auth_mode === 'AWS_SIGV4'
        ? '    aws_sigv4: { service: s3, access_key_id: AKID, secret_access_key: sk }\n'
        : '';
    const yaml = `integrations:\n  it:\n    provider: ${name}\n    oauth: { client_id: id, client_secret: secret }\n${aws}`;
    expect(parse(yaml).integrations.get('it')?.provider?.name).toBe(name);
  });

  it('reports an unknown provider, and nothing else about that integration', () => {
    expect(problemsOf('integrations:\n  a:\n    provider: nope\n')).toEqual([
      'integrations.a.provider: no provider named "nope" in the providers catalog (providers.yaml and NANGO_PROVIDERS_FILE)',
    ]);
  });

  describe('with a user catalog', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'provider-integrations-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    function catalogOf(yaml: string): ProviderCatalog {
      const file = path.join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
      writeFileSync(file, yaml);
      return loadProviderCatalog({ file });
    }

    it('refuses what it cannot run or render, with the path and what to write instead', () => {
      const catalog = catalogOf(`
cc:
  auth_mode: INSTALL_PLUGIN
  proxy: { base_url: https://cc.example.com }
whole-url:
  auth_mode: OAUTH2
  authorization_url: https://auth.example.com/authorize
  token_url: https://auth.example.com/token
  proxy: { base_url: '\${connectionConfig.instance_url}' }
odd-header:
  auth_mode: API_KEY
  proxy:
    base_url: https://odd.example.com
    headers:
      authorization: Bearer \${apiKey}
      x-time: \${now}
`);
      expect(
        problemsOf(
          'integrations:\n  a:\n    provider: cc\n  b:\n    provider: whole-url\n  c:\n    provider: odd-header\n',
          catalog,
        ),
      ).toEqual([
        `integrations.a.auth_mode: provider cc uses auth mode INSTALL_PLUGIN, which this server does not run (it runs ${RUNS}); set auth_mode`,
        "integrations.b.base_url: provider whole-url's proxy.base_url is one per-Connection value; set base_url here, with its scheme and host",
        'integrations.c.headers.x-time: unknown placeholder ${now}; use ${api_key}, ${userId}, ${additionalConfig.<key>} or an UPPER_CASE environment variable (from provider odd-header)',
      ]);
    });

    it('takes an API_KEY provider that places the key in no header or query param (the body, or the actions)', () => {
      const catalog = catalogOf(`
body-key:
  auth_mode: API_KEY
  proxy: { base_url: https://mandrillapp.example.com/api/1.0 }
`);
      const integration = parse('integrations:\n  m:\n    provider: body-key\n', catalog).integrations.get('m');
      expect(integration?.authMode).toBe('API_KEY');
      expect(integration?.headers.size).toBe(0);
      expect(problemsOf('integrations:\n  own:\n    auth_mode: API_KEY\n    base_url: https://api.example.com\n')).toEqual([
        'integrations.own: an API_KEY integration must place ${api_key} in headers or query_params',
      ]);
    });

    it("takes a host the user types, but never for the token URL that gets the integration's client secret", () => {
      const catalog = catalogOf(`
gitlab-self:
  auth_mode: API_KEY
  proxy:
    base_url: https://\${connectionConfig.hostname}/api/v4
    headers: { private-token: 'Bearer \${apiKey}' }
self-oauth:
  auth_mode: OAUTH2
  authorization_url: https://\${connectionConfig.hostname}/oauth/authorize
  token_url: https://\${connectionConfig.hostname}/oauth/token
  proxy: { base_url: 'https://\${connectionConfig.hostname}/api' }
`);
      const gitlab = parse('integrations:\n  g:\n    provider: gitlab-self\n', catalog).integrations.get('g');
      expect(gitlab?.baseUrl.source).toBe('https://${additionalConfig.hostname}/api/v4');
      const yaml =
        'integrations:\n  o:\n    provider: self-oauth\n    oauth:\n      client_id: id\n      client_secret: secret\n';
      expect(problemsOf(yaml, catalog)).toEqual([
        "integrations.o.oauth.token_url: its host is a value the user types (hostname), and the integration's OAuth client secret is never sent to such a host: write your instance's token_url (and authorization_url) in integrations.yaml",
      ]);
    });

    it("takes the general default of Nango's `A || B` alternatives", () => {
      const catalog = catalogOf(`
tenant:
  auth_mode: OAUTH2
  authorization_url: https://auth.example.com/authorize
  token_url: https://\${connectionConfig.hostname}/token || https://auth.example.com/token
  proxy: { base_url: 'https://\${connectionConfig.apiHost} || https://api.example.com' }
`);
      const tenant = parse('integrations:\n  t:\n    provider: tenant\n', catalog).integrations.get('t');
      expect(text(tenant?.baseUrl)).toBe('https://api.example.com');
      expect(tenant?.oauth?.tokenUrl).toBe('https://auth.example.com/token');
    });
  });
});

describe('integrations.yaml: actions found by file name', () => {
  it('takes every <name>.action.ts of the folder when the integration lists none', () => {
    const files: Record<string, string[]> = {
      [path.join(DIR, 'github')]: ['listRepos.action.ts', 'helpers.ts', 'createIssue.action.ts', 'bad name.action.ts'],
    };
    const config = parse(
      'integrations:\n  github:\n    provider: github\n  listed:\n    provider: github\n    actions:\n      only:\n',
      builtin,
      (dir) => files[dir] ?? [],
    );
    expect([...(config.integrations.get('github')?.actions.keys() ?? [])]).toEqual(['createIssue', 'listRepos']);
    expect(config.integrations.get('github')?.actions.get('listRepos')?.file).toBe(
      path.join(DIR, 'github', 'listRepos.action.ts'),
    );
    expect([...(config.integrations.get('listed')?.actions.keys() ?? [])]).toEqual(['only']);
  });
});
