import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadIntegrationsConfig, parseIntegrationsConfig } from '../../src/config/loadIntegrationsConfig';
import type { IntegrationsConfig, Template } from '../../src/config/types';

/** A 2022 `nango-integrations/` folder, written for these tests in that product's format. */
const FOLDER = path.resolve(__dirname, '../fixtures/nango-integrations-2022');
const ENV = {
  SLACK_CLIENT_SECRET: 'slack-secret',
  MS_TEAMS_CLIENT_SECRET: 'teams-secret',
  WEATHER_APP_KEY: 'weather-app-key',
  CRM_CLIENT_SECRET: 'crm-secret',
};

function load(yaml = 'integrations.yaml'): IntegrationsConfig {
  return loadIntegrationsConfig({ yamlPath: path.join(FOLDER, yaml), integrationsDir: FOLDER, env: ENV });
}

function text(template: Template | undefined): string | undefined {
  return template?.parts
    .map((part) => {
      if (typeof part === 'string') return part;
      if (part.kind === 'credential') return `\${${part.field}}`;
      if (part.kind === 'config') return `\${additionalConfig.${part.path.join('.')}}`;
      return '${userId}';
    })
    .join('');
}

function headersOf(config: IntegrationsConfig, name: string): Record<string, string | undefined> {
  return Object.fromEntries([...(config.integrations.get(name)?.headers ?? [])].map(([key, value]) => [key, text(value)]));
}

describe('a 2022 nango-integrations folder', () => {
  const config = load();

  it('loads as it is, every integration and its actions found by file name', () => {
    expect([...config.integrations.keys()]).toEqual(['slack', 'ms-teams', 'hubspot', 'weather', 'helpdesk', 'crm']);
    const slack = config.integrations.get('slack');
    expect([...(slack?.actions.keys() ?? [])]).toEqual(['notify']);
    expect(slack?.actions.get('notify')?.file).toBe(path.join(FOLDER, 'slack', 'notify.action.ts'));
    expect(config.integrations.get('helpdesk')?.actions.size).toBe(0);
  });

  it('resolves blueprints to the providers catalog, keeping their base URL and headers', () => {
    const slack = config.integrations.get('slack');
    expect(slack?.provider?.name).toBe('slack');
    expect(slack?.authMode).toBe('OAUTH2');
    expect(text(slack?.baseUrl)).toBe('https://slack.com/api/');
    expect(headersOf(config, 'slack')).toEqual({ Accept: 'application/json', 'User-Agent': 'Nango' });
    expect(slack?.oauth).toMatchObject({
      clientId: '1234567890.0987654321',
      clientSecret: 'slack-secret',
      scopes: ['channels:read', 'chat:write'],
      tokenUrl: 'https://slack.com/api/oauth.v2.access',
    });
    const teams = config.integrations.get('ms-teams');
    expect(teams?.provider?.name).toBe('microsoft-teams');
    expect(text(teams?.baseUrl)).toBe('https://graph.microsoft.com/v1.0/');
  });

  it("keeps the 2022 header precedence: configured headers win over the action's own", () => {
    for (const integration of config.integrations.values()) expect(integration.headerPrecedence).toBe('configured');
  });

  it("maps nango-config.yaml's defaults and its winston log levels", () => {
    expect(config.integrations.get('slack')).toMatchObject({ logLevel: 'debug', httpTimeoutMs: 100_000 });
    expect(config.integrations.get('hubspot')).toMatchObject({ logLevel: 'trace', httpTimeoutMs: 20_000 });
    expect(config.integrations.get('weather')?.logLevel).toBe('info');
    expect(config.legacy?.serverLogLevel).toBe('debug');
  });

  it('maps requests and the 2022 placeholders to ours', () => {
    const weather = config.integrations.get('weather');
    expect(weather?.authMode).toBe('API_KEY');
    expect(text(weather?.baseUrl)).toBe('https://api.weather.example/v2/');
    expect(headersOf(config, 'weather')).toEqual({ 'X-App-Key': 'weather-app-key', 'X-User-Key': '${api_key}' });
    expect(text(weather?.queryParams.get('units'))).toBe('metric');
    // Basic ${basic_auth_encoded} is what our worker sends for USERNAME_PASSWORD by itself.
    expect(config.integrations.get('helpdesk')?.authMode).toBe('USERNAME_PASSWORD');
    expect(headersOf(config, 'helpdesk')).toEqual({ Accept: 'application/json' });
    expect(headersOf(config, 'crm')).toEqual({ 'X-Team': '${raw.team_id}', 'X-Client': 'crm-client' });
  });

  it('turns inline auth settings into a provider of their own', () => {
    const crm = config.integrations.get('crm');
    expect(crm?.provider).toMatchObject({
      name: 'crm-2022',
      auth_mode: 'OAUTH2',
      authorization_url: 'https://crm.example/oauth/authorize',
      scope_separator: ',',
    });
    expect(crm?.oauth).toMatchObject({ tokenUrl: 'https://crm.example/oauth/token', clientAuth: 'basic', scopes: ['contacts'] });
  });

  it('says what it mapped elsewhere or ignored, with paths, without failing', () => {
    expect(config.legacy?.notices).toEqual(
      expect.arrayContaining([
        'nango-config.yaml: oauth_server_port: the OAuth server is part of our HTTP server, set by environment variables (see the README); ignored',
        'integrations.helpdesk.requests.headers.Authorization: left out: for USERNAME_PASSWORD our worker sends this Basic header itself',
        'integrations.crm.auth: becomes provider crm-2022; migrate-config writes it out for NANGO_PROVIDERS_FILE',
      ]),
    );
  });

  it('loads the first, list-shaped format too', () => {
    const list = load('integrations-list-form.yaml');
    expect(list.integrations.get('slack')).toMatchObject({ authMode: 'OAUTH2', logLevel: 'debug' });
    expect(text(list.integrations.get('slack')?.baseUrl)).toBe('https://slack.com/api/');
    expect(text(list.integrations.get('github')?.baseUrl)).toBe('https://api.github.com/');
    // No auth mode at all, as in its quickstart: a Bearer token, our OAUTH2.
    expect(list.integrations.get('notion')).toMatchObject({ authMode: 'OAUTH2', provider: undefined });
  });
});

describe('a 2022 file with what cannot be mapped', () => {
  function problemsOf(yaml: string, nangoConfig?: unknown): string[] {
    try {
      parseIntegrationsConfig(yaml, {
        sourceName: 'integrations.yaml',
        integrationsDir: FOLDER,
        env: ENV,
        listDir: () => [],
        nangoConfig: () => nangoConfig,
      });
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    throw new Error('expected a ConfigError, but the config loaded');
  }

  it('reports each with its path and what to write instead', () => {
    const problems = problemsOf(
      `
integrations:
  a:
    extends_blueprint: nosuch:v0
  b:
    extends_blueprint: slack:v0
    requests:
      headers:
        X-Secret: \${oauth_token_secret}
        X-Key: \${app_api_key}
      timeout: 3
  c:
    auth:
      auth_mode: USERNAME_PASSWORD
    requests:
      base_url: https://c.example
      headers:
        X-Auth: Token \${basic_auth_encoded}
  d:
    extends_blueprint: slack:v0
    log_level: loud
    http_request_timeout_seconds: -1
`,
      { main_server_log_level: 'info', colour: 'blue' },
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^integrations\.a\.extends_blueprint: unknown blueprint; write <name>:v0 with a name among .*slack.*, or use provider: <name> of the providers catalog$/,
      ),
      'integrations.b.requests.headers.X-Secret: ${oauth_token_secret} is never sent: the worker signs each OAuth 1.0a request itself; leave this out',
      'integrations.b.requests.headers.X-Key: ${app_api_key} needs app_api_key on this integration',
      'integrations.b.requests.timeout: unknown key: requests takes base_url, headers and params',
      'integrations.c.requests.headers.X-Auth: ${basic_auth_encoded} has no equivalent here; use auth_mode USERNAME_PASSWORD without an Authorization header (the worker sends Basic auth), or ${username} and ${password}',
      'integrations.d.log_level: must be one of error, warn, info, http, verbose, debug, silly',
      'integrations.d.http_request_timeout_seconds: must be a number of seconds, 0 or more',
      'nango-config.yaml: colour: unknown key of nango-config.yaml',
    ]);
  });
});

describe('our own format beside it', () => {
  it('is not taken for the 2022 one', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'own-format-'));
    try {
      writeFileSync(path.join(dir, 'integrations.yaml'), 'integrations:\n  a:\n    provider: github\n');
      writeFileSync(path.join(dir, 'nango-config.yaml'), 'colour: blue\n'); // never read for our format
      const config = loadIntegrationsConfig({ yamlPath: path.join(dir, 'integrations.yaml'), integrationsDir: dir, env: {} });
      expect(config.legacy).toBeUndefined();
      expect(config.integrations.get('a')?.provider?.name).toBe('github');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
