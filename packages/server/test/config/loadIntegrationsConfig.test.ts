import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError, DEFAULTS, loadIntegrationsConfig, parseIntegrationsConfig } from '../../src/config/loadIntegrationsConfig';
import type { IntegrationsConfig } from '../../src/config/types';
import { displayPath } from '../../src/displayPath';

const DIR = path.resolve('integrations');
const ENV = { SLACK_CLIENT_ID: 'client-id', SLACK_CLIENT_SECRET: 'shh-very-secret' };

function parse(text: string, env: NodeJS.ProcessEnv = ENV, fileExists = (_file: string) => true): IntegrationsConfig {
  return parseIntegrationsConfig(text, { sourceName: 'integrations.yaml', integrationsDir: DIR, env, fileExists });
}

/** The problems of a text that must not load; fails the test when it loads. */
function problemsOf(text: string, env: NodeJS.ProcessEnv = ENV, fileExists = (_file: string) => true): string[] {
  try {
    parse(text, env, fileExists);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError, but the config loaded');
}

const FULL = `
integrations:
  slack:
    auth_mode: OAUTH2
    base_url: https://slack.com/api
    headers:
      X-Team: \${additionalConfig.teamId}
      Authorization: Bearer \${access_token}
    query_params:
      v: "2"
      user: \${userId}
    http_timeout_ms: 10000
    action_timeout_ms: 20000
    action_memory_mb: 64
    log_level: debug
    oauth:
      client_id: \${SLACK_CLIENT_ID}
      client_secret: \${SLACK_CLIENT_SECRET}
      token_url: https://slack.com/api/oauth.v2.access
      client_auth: basic
      refresh_margin_s: 0
    actions:
      notify:
      post:
        timeout_ms: 5000
        memory_mb: 512
  zendesk:
    auth_mode: USERNAME_PASSWORD
    base_url: https://\${additionalConfig.subdomain}.zendesk.com/api/v2
`;

describe('parseIntegrationsConfig: valid files', () => {
  it('compiles a full example', () => {
    const slack = parse(FULL).integrations.get('slack');
    expect(slack).toMatchObject({
      name: 'slack',
      authMode: 'OAUTH2',
      baseUrl: {
        source: 'https://slack.com/api',
        path: 'integrations.slack.base_url',
        parts: ['https://slack.com/api'],
      },
      httpTimeoutMs: 10000,
      actionTimeoutMs: 20000,
      logLevel: 'debug',
      oauth: {
        clientId: 'client-id',
        clientSecret: 'shh-very-secret',
        tokenUrl: 'https://slack.com/api/oauth.v2.access',
        clientAuth: 'basic',
        refreshMarginSeconds: 0,
      },
    });
    expect([...(slack?.headers.entries() ?? [])].map(([name, template]) => [name, template.parts])).toEqual([
      ['X-Team', [{ kind: 'config', path: ['teamId'] }]],
      ['Authorization', ['Bearer ', { kind: 'credential', field: 'access_token' }]],
    ]);
    expect(slack?.headers.get('Authorization')?.path).toBe('integrations.slack.headers.Authorization');
    expect([...(slack?.queryParams.entries() ?? [])].map(([name, template]) => [name, template.parts])).toEqual([
      ['v', ['2']],
      ['user', [{ kind: 'userId' }]],
    ]);
    expect([...(slack?.actions.values() ?? [])]).toEqual([
      { name: 'notify', file: path.join(DIR, 'slack', 'notify.action.ts'), timeoutMs: 20000, memoryMb: 64 },
      { name: 'post', file: path.join(DIR, 'slack', 'post.action.ts'), timeoutMs: 5000, memoryMb: 512 },
    ]);
  });

  it('fills every default', () => {
    const zendesk = parse(FULL).integrations.get('zendesk');
    expect(zendesk).toMatchObject({
      authMode: 'USERNAME_PASSWORD',
      httpTimeoutMs: DEFAULTS.httpTimeoutMs,
      actionTimeoutMs: DEFAULTS.actionTimeoutMs,
      logLevel: 'info',
      oauth: undefined,
    });
    expect(zendesk?.baseUrl.parts).toEqual(['https://', { kind: 'config', path: ['subdomain'] }, '.zendesk.com/api/v2']);
    expect(zendesk?.headers.size).toBe(0);
    expect(zendesk?.queryParams.size).toBe(0);
    expect(zendesk?.actions.size).toBe(0);
    const action = parse(
      'integrations:\n  a:\n    auth_mode: USERNAME_PASSWORD\n    base_url: https://a.io\n    actions:\n      x:\n',
    )
      .integrations.get('a')
      ?.actions.get('x');
    expect(action?.memoryMb).toBe(DEFAULTS.actionMemoryMb);
    const oauth = parse(
      'integrations:\n  a:\n    auth_mode: OAUTH2\n    base_url: https://a.io\n    oauth: {}\n',
    ).integrations.get('a')?.oauth;
    expect(oauth).toEqual({
      clientId: undefined,
      clientSecret: undefined,
      tokenUrl: undefined,
      tokenUrlTemplate: undefined,
      scopes: [],
      clientAuth: 'body',
      refreshMarginSeconds: 900,
    });
  });

  it.each([
    ['an empty file', ''],
    ['a file of comments', '# nothing yet\n# really\n'],
    ['null integrations', 'integrations:\n'],
    ['empty integrations', 'integrations: {}\n'],
  ])('accepts %s as no integrations', (_what, text) => {
    expect(parse(text).integrations.size).toBe(0);
  });

  it('treats __proto__ and constructor as ordinary names', () => {
    const body = '    auth_mode: OAUTH2\n    base_url: https://a.io\n    actions:\n      __proto__:\n';
    const config = parse(`integrations:\n  __proto__:\n${body}  constructor:\n${body}`);
    expect([...config.integrations.keys()]).toEqual(['__proto__', 'constructor']);
    expect(config.integrations.get('__proto__')?.actions.get('__proto__')?.file).toBe(
      path.join(DIR, '__proto__', '__proto__.action.ts'),
    );
    expect(config.integrations.get('toString')).toBeUndefined();
    expect(({} as Record<string, unknown>)['auth_mode']).toBeUndefined();
  });

  it('returns a deep-frozen config whose maps refuse changes', () => {
    const config = parse(FULL);
    const slack = config.integrations.get('slack');
    if (!slack) throw new Error('slack missing');
    for (const value of [config, slack, slack.baseUrl, slack.baseUrl.parts, slack.oauth, slack.actions.get('post')]) {
      expect(Object.isFrozen(value)).toBe(true);
    }
    for (const map of [config.integrations, slack.headers, slack.queryParams, slack.actions]) {
      expect(Object.isFrozen(map)).toBe(true);
      expect(() => (map as Map<string, unknown>).set('x', 1)).toThrow(TypeError);
      expect(() => (map as Map<string, unknown>).delete('slack')).toThrow(TypeError);
      expect(() => (map as Map<string, unknown>).clear()).toThrow(TypeError);
    }
    expect(config.integrations.size).toBe(2);
  });
});

describe('parseIntegrationsConfig: problems', () => {
  it('reports every problem at once, with its path, in the order of the file', () => {
    const text = `
integrations:
  slack:
    auth_mode: OAUTH3
    bas_url: https://slack.com/api
    http_timeout_ms: 0
  github:
    auth_mode: OAUTH2
    base_url: ftp://github.com
    log_level: loud
    actions:
      list:
unknown: 1
`;
    expect(problemsOf(text, ENV, () => false)).toEqual([
      'integrations.slack: base_url is required (or a provider: that gives it)',
      'integrations.slack.auth_mode: must be one of OAUTH2, OAUTH1, API_KEY, USERNAME_PASSWORD, OAUTH2_CC, TWO_STEP, JWT, BILL, SIGNATURE, APP, CUSTOM, TBA, AWS_SIGV4, NONE, MCP_OAUTH2, MCP_OAUTH2_GENERIC',
      'integrations.slack.bas_url: unknown key',
      'integrations.slack.http_timeout_ms: must be at least 1',
      'integrations.github.base_url: must be an http or https URL',
      'integrations.github.log_level: must be one of trace, debug, info, warn, error, silent',
      'unknown: unknown key',
    ]);
  });

  it('runs the cross-checks of every integration whose shape is right, in the same pass', () => {
    const text = `
integrations:
  broken:
    auth_mode: OAUTH2
    actions:
      gone:
  fine:
    auth_mode: OAUTH2
    base_url: ftp://github.com
    actions:
      gone:
`;
    expect(problemsOf(text, ENV, () => false)).toEqual([
      'integrations.broken: base_url is required (or a provider: that gives it)',
      'integrations.fine.base_url: must be an http or https URL',
      `integrations.fine.actions.gone: file ${path.join('integrations', 'fine', 'gone.action.ts')} does not exist`,
    ]);
  });

  it('formats the error message with the source name and one line per problem', () => {
    const text = 'integrations:\n  a:\n    auth_mode: OAUTH2\n';
    expect(() => parse(text)).toThrow(
      new ConfigError('integrations.yaml', ['integrations.a: base_url is required (or a provider: that gives it)']),
    );
    expect(new ConfigError('x.yaml', ['a: b', 'c: d']).message).toBe('x.yaml: 2 problems:\n  - a: b\n  - c: d');
    expect(new ConfigError('x.yaml', ['a: b']).message).toBe('x.yaml: 1 problem:\n  - a: b');
  });

  it('reports every YAML syntax error with line and column, and nothing else', () => {
    const text = 'integrations:\n  slack: auth_mode: OAUTH2\n  bad_key_here: 1\n  x: [\n';
    const problems = problemsOf(text);
    expect(problems).toEqual([
      'integrations.yaml:2:10: Nested mappings are not allowed in compact mappings',
      expect.stringMatching(/^integrations\.yaml:5:1: /),
    ]);
  });

  it('reports duplicate names as a YAML error', () => {
    const text = 'integrations:\n  a: {}\n  a: {}\n';
    expect(problemsOf(text)).toEqual(['integrations.yaml:3:3: Map keys must be unique']);
  });

  it('rejects a top level or an integrations key that is not a mapping', () => {
    expect(problemsOf('- slack\n')).toEqual(['(top level): must be a mapping, not a list']);
    expect(problemsOf('just text\n')).toEqual(['(top level): must be a mapping, not a string']);
    expect(problemsOf('integrations: [a]\n')).toEqual(['integrations: must be a mapping, not a list']);
    expect(problemsOf('integrations:\n  a:\n')).toEqual(['integrations.a: must be a mapping, not empty']);
  });

  it('names unknown keys at every level', () => {
    const text = `
integrations:
  a:
    auth_mode: OAUTH2
    base_url: https://a.io
    oauth:
      client_ids: x
    actions:
      run:
        timeout: 5
`;
    expect(problemsOf(text)).toEqual([
      'integrations.a.oauth.client_ids: unknown key',
      'integrations.a.actions.run.timeout: unknown key',
    ]);
  });

  it('rejects names that cannot be folder or file names, and skips their cross-checks', () => {
    const text = `
integrations:
  "my app":
    auth_mode: OAUTH2
    base_url: https://a.io
  a:
    auth_mode: OAUTH2
    base_url: https://a.io
    actions:
      ../escape:
`;
    expect(problemsOf(text, ENV, () => false)).toEqual([
      'integrations.my app: "my app" is not a valid name: use letters, digits, _ and -',
      'integrations.a.actions.../escape: "../escape" is not a valid name: use letters, digits, _ and -',
    ]);
  });

  it('wants strings in headers and query params, and integers within range for timeouts', () => {
    const text = `
integrations:
  a:
    auth_mode: OAUTH2
    base_url: https://a.io
    headers:
      X-Flag: true
      bad header: x
    query_params:
      v: 2
    http_timeout_ms: 1.5
    action_timeout_ms: 99999999999
`;
    expect(problemsOf(text)).toEqual([
      'integrations.a.headers.X-Flag: must be a string, not a boolean: put it in quotes',
      'integrations.a.headers.bad header: "bad header" is not a valid header name',
      'integrations.a.query_params.v: must be a string, not an integer: put it in quotes',
      'integrations.a.http_timeout_ms: must be an integer, not a fractional number',
      'integrations.a.action_timeout_ms: must be at most 2147483647',
    ]);
  });

  it('checks base_url and token_url as http(s) URLs, with placeholders standing for one label', () => {
    const integration = (baseUrl: string, tokenUrl: string) =>
      `integrations:\n  a:\n    auth_mode: OAUTH2\n    base_url: "${baseUrl}"\n    oauth:\n      token_url: "${tokenUrl}"\n`;
    expect(problemsOf(integration('not a url', 'mailto:a@b.c'))).toEqual([
      'integrations.a.base_url: must be a URL',
      'integrations.a.oauth.token_url: must be an http or https URL',
    ]);
    expect(problemsOf(integration('https://a.io', 'nope'))).toEqual(['integrations.a.oauth.token_url: must be a URL']);
    const ok = parse(integration('https://${additionalConfig.sub}.a.io/${userId}', 'http://a.io/token'));
    expect(ok.integrations.get('a')?.baseUrl.parts).toHaveLength(4);
  });

  it("lets a base_url placeholder fill one label of a domain the file fixes, or make up a host from the Connection's config", () => {
    const integration = (baseUrl: string) => `integrations:\n  a:\n    auth_mode: OAUTH2\n    base_url: "${baseUrl}"\n`;
    const example = 'e.g. https://${additionalConfig.tenant}.example.com';
    // A host the user types (a self-hosted instance): its value is checked, fixed and guarded (config/userHost.ts).
    for (const base of [
      'http://${additionalConfig.host}:8080',
      'https://${additionalConfig.host}/api',
      'https://${additionalConfig.host}.com',
      'https://api.${additionalConfig.domain}',
      'https://api.${additionalConfig.domain}.com',
    ]) {
      expect(parse(integration(base)).integrations.get('a')?.baseUrl.source).toBe(base);
    }
    // Only a Connection's config may make up a host: it is checked when the Connection is made, then fixed.
    expect(problemsOf(integration('https://${userId}/api'))).toEqual([
      `integrations.a.base_url: \${userId} may not make up a host: only a Connection's config may (${example})`,
    ]);
    // An IPv4-looking host, once the placeholder is a label, is not even a URL.
    expect(problemsOf(integration('https://${additionalConfig.host}.0.0.1'))).toEqual(['integrations.a.base_url: must be a URL']);
    expect(problemsOf(integration('https://a.io:${additionalConfig.port}/'))).toEqual(['integrations.a.base_url: must be a URL']);
    expect(problemsOf(integration('https://${userId}@a.io/'))).toEqual([
      'integrations.a.base_url: ${userId} may not stand in the scheme, user info or port',
    ]);
    expect(problemsOf(integration('https://${userId}:x@a.io/'))).toEqual([
      'integrations.a.base_url: ${userId} may not stand in the scheme, user info or port',
    ]);
    for (const base of [
      'https://${additionalConfig.tenant}.example.com/api',
      'https://${additionalConfig.tenant}-eu.api.example.com',
      'https://api.example.com/${additionalConfig.version}',
    ]) {
      expect(parse(integration(base)).integrations.get('a')?.baseUrl.source).toBe(base);
    }
  });
});

describe('parseIntegrationsConfig: environment variables and placeholders', () => {
  const withHeader = (header: string, authMode = 'OAUTH2') =>
    `integrations:\n  a:\n    auth_mode: ${authMode}\n    base_url: https://a.io\n    headers:\n      X-Key: "${header}"\n`;

  it('substitutes variables in every string, with defaults for unset or empty ones', () => {
    const text = `
integrations:
  a:
    auth_mode: \${MODE:-API_KEY}
    base_url: \${BASE_URL}/v1
    headers:
      X-Key: \${api_key}
      X-Env: \${STAGE:-dev}
    log_level: \${LEVEL:-warn}
`;
    const a = parse(text, { BASE_URL: 'https://api.example.com', LEVEL: '' }).integrations.get('a');
    expect(a?.authMode).toBe('API_KEY');
    expect(a?.baseUrl.parts).toEqual(['https://api.example.com/v1']);
    expect(a?.baseUrl.source).toBe('${BASE_URL}/v1');
    expect(a?.headers.get('X-Env')?.parts).toEqual(['dev']);
    expect(a?.logLevel).toBe('warn');
  });

  it('names a missing variable and never shows the value of another one', () => {
    const text = `
integrations:
  slack:
    auth_mode: OAUTH2
    base_url: https://slack.com/api
    headers:
      X-Secret: \${SLACK_CLIENT_SECRET}
      X-Missing: \${MISSING_TOO}
    oauth:
      client_id: \${NOT_SET}
      client_secret: \${SLACK_CLIENT_SECRET}
      token_url: \${SLACK_CLIENT_SECRET}
`;
    let error: unknown;
    try {
      parse(text);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems).toEqual([
      'integrations.slack.headers.X-Missing: environment variable MISSING_TOO is not set',
      'integrations.slack.oauth.client_id: environment variable NOT_SET is not set',
      'integrations.slack.oauth.token_url: must be a URL',
    ]);
    expect(message).not.toContain(ENV.SLACK_CLIENT_SECRET);
  });

  it('reports a missing variable or a malformed placeholder once, even where templates are compiled', () => {
    expect(problemsOf(withHeader('${MISSING}'))).toEqual([
      'integrations.a.headers.X-Key: environment variable MISSING is not set',
    ]);
    expect(problemsOf(withHeader('${userId'))).toEqual([
      'integrations.a.headers.X-Key: unclosed ${: write placeholders as ${name}',
    ]);
  });

  it('compiles Connection placeholders in base_url, headers and query params', () => {
    const text = `
integrations:
  a:
    auth_mode: USERNAME_PASSWORD
    base_url: https://\${additionalConfig.tenant.host}.example.com/\${userId}
    headers:
      X-User: \${username}
    query_params:
      pw: \${password}
`;
    const a = parse(text).integrations.get('a');
    expect(a?.baseUrl.parts).toEqual([
      'https://',
      { kind: 'config', path: ['tenant', 'host'] },
      '.example.com/',
      { kind: 'userId' },
    ]);
    expect(a?.headers.get('X-User')?.parts).toEqual([{ kind: 'credential', field: 'username' }]);
    expect(a?.queryParams.get('pw')?.parts).toEqual([{ kind: 'credential', field: 'password' }]);
  });

  it('names an unknown placeholder and what the auth mode allows instead', () => {
    expect(problemsOf(withHeader('${apikey}', 'API_KEY'))).toEqual([
      'integrations.a: an API_KEY integration must place ${api_key} in headers or query_params',
      'integrations.a.headers.X-Key: unknown placeholder ${apikey}; use ${api_key}, ${userId}, ' +
        '${additionalConfig.<key>} or an UPPER_CASE environment variable',
    ]);
    expect(problemsOf(withHeader('${access_token}', 'USERNAME_PASSWORD'))).toEqual([
      'integrations.a.headers.X-Key: unknown placeholder ${access_token}; use ${username}, ${password}, ' +
        '${userId}, ${additionalConfig.<key>} or an UPPER_CASE environment variable',
    ]);
  });

  it('rejects Connection placeholders outside base_url, headers and query params', () => {
    const text =
      'integrations:\n  a:\n    auth_mode: OAUTH2\n    base_url: https://a.io\n    oauth:\n' +
      '      client_secret: ${access_token}\n';
    expect(problemsOf(text)).toEqual([
      'integrations.a.oauth.client_secret: placeholder ${access_token} is not allowed here: per-Connection ' +
        'placeholders only go in base_url, headers and query_params; use an UPPER_CASE environment variable',
    ]);
  });

  it('refuses credential placeholders in base_url, where a secret would show in every message naming the URL', () => {
    const text = (authMode: string, baseUrl: string) =>
      `integrations:\n  a:\n    auth_mode: ${authMode}\n    base_url: ${baseUrl}\n    headers:\n      X-Key: \${api_key}\n`;
    expect(problemsOf(text('API_KEY', 'https://api.telegram.org/bot${api_key}'))).toEqual([
      'integrations.a.base_url: credential placeholder ${api_key} is not allowed in base_url; put it in headers or query_params',
    ]);
    expect(
      problemsOf(text('USERNAME_PASSWORD', 'https://${username}:${password}@a.io').replace(/ {4}headers:\n.*\n/, '')),
    ).toEqual([
      'integrations.a.base_url: credential placeholder ${username} is not allowed in base_url; put it in headers or query_params',
      'integrations.a.base_url: credential placeholder ${password} is not allowed in base_url; put it in headers or query_params',
    ]);
  });

  it('takes a variable whose value looks like a placeholder literally', () => {
    const env = { TOKEN: '${userId}${NOT_SET}', SECRET: 'a${access_token}' };
    const text = withHeader('Bearer ${TOKEN}') + '    oauth:\n      client_secret: ${SECRET}\n';
    const a = parse(text, env).integrations.get('a');
    expect(a?.headers.get('X-Key')?.parts).toEqual(['Bearer ${userId}${NOT_SET}']);
    expect(a?.oauth?.clientSecret).toBe('a${access_token}');
  });

  it('accepts ${api_key} in a query param of an API_KEY integration', () => {
    const text =
      'integrations:\n  a:\n    auth_mode: API_KEY\n    base_url: https://a.io\n    query_params:\n' + '      key: ${api_key}\n';
    expect(parse(text).integrations.get('a')?.queryParams.get('key')?.parts).toEqual([{ kind: 'credential', field: 'api_key' }]);
  });
});

describe('parseIntegrationsConfig: cross-checks', () => {
  it('needs the consumer key and secret of an OAUTH1 integration', () => {
    const base = 'integrations:\n  a:\n    auth_mode: OAUTH1\n    base_url: https://a.io\n';
    expect(problemsOf(base)).toEqual([
      'integrations.a: an OAUTH1 integration needs oauth.client_id and oauth.client_secret (consumer key and secret)',
    ]);
    expect(problemsOf(`${base}    oauth:\n      client_id: key\n`)).toEqual([
      'integrations.a.oauth: client_secret is required for OAUTH1',
    ]);
    expect(problemsOf(`${base}    oauth:\n      client_id: \${EMPTY}\n      client_secret: s\n`, { EMPTY: '' })).toEqual([
      'integrations.a.oauth.client_id: must not be empty',
    ]);
    const ok = parse(`${base}    oauth:\n      client_id: key\n      client_secret: \${SLACK_CLIENT_SECRET}\n`);
    expect(ok.integrations.get('a')?.oauth?.clientId).toBe('key');
  });

  it('needs a file for every action, and stores its absolute path', () => {
    const text =
      'integrations:\n  slack:\n    auth_mode: OAUTH2\n    base_url: https://a.io\n    actions:\n' +
      '      notify:\n      post:\n';
    const asked: string[] = [];
    const existing = path.join(DIR, 'slack', 'post.action.ts');
    const problems = problemsOf(text, ENV, (file) => {
      asked.push(file);
      return file === existing;
    });
    expect(problems).toEqual([
      `integrations.slack.actions.notify: file ${path.join('integrations', 'slack', 'notify.action.ts')} does not exist`,
    ]);
    expect(asked).toEqual([path.join(DIR, 'slack', 'notify.action.ts'), existing]);
  });
});

describe('loadIntegrationsConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'integrations-config-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the file and checks action files on disk', () => {
    mkdirSync(path.join(dir, 'integrations', 'slack'), { recursive: true });
    writeFileSync(path.join(dir, 'integrations', 'slack', 'notify.action.ts'), 'export {};\n');
    const yamlPath = path.join(dir, 'integrations.yaml');
    writeFileSync(
      yamlPath,
      'integrations:\n  slack:\n    auth_mode: OAUTH2\n    base_url: https://a.io\n    actions:\n      notify:\n',
    );
    const config = loadIntegrationsConfig({ yamlPath, integrationsDir: path.join(dir, 'integrations'), env: {} });
    expect(config.integrations.get('slack')?.actions.get('notify')?.file).toBe(
      path.join(dir, 'integrations', 'slack', 'notify.action.ts'),
    );
    writeFileSync(
      yamlPath,
      'integrations:\n  slack:\n    auth_mode: OAUTH2\n    base_url: https://a.io\n    actions:\n      gone:\n',
    );
    expect(() => loadIntegrationsConfig({ yamlPath, integrationsDir: path.join(dir, 'integrations') })).toThrow(
      /integrations\.slack\.actions\.gone: file .*gone\.action\.ts does not exist/,
    );
  });

  it('lists a symbolic link loop among the config problems instead of stopping on a bare ELOOP', () => {
    const integrations = path.join(dir, 'integrations');
    mkdirSync(path.join(integrations, 'slack'), { recursive: true });
    symlinkSync('notify.action.ts', path.join(integrations, 'slack', 'notify.action.ts')); // points at itself
    symlinkSync('b.action.ts', path.join(integrations, 'slack', 'a.action.ts'));
    symlinkSync('a.action.ts', path.join(integrations, 'slack', 'b.action.ts'));
    mkdirSync(path.join(integrations, 'slack', 'folder.action.ts'));
    const yamlPath = path.join(dir, 'integrations.yaml');
    const actions = ['notify', 'a', 'folder', 'gone'].map((name) => `      ${name}:\n`).join('');
    const file = (name: string) => displayPath(path.join(integrations, 'slack', `${name}.action.ts`));
    writeFileSync(
      yamlPath,
      `integrations:\n  slack:\n    auth_mode: OAUTH2\n    base_url: https://a.io\n    actions:\n${actions}`,
    );
    expect(() => loadIntegrationsConfig({ yamlPath, integrationsDir: integrations, env: {} })).toThrow(
      new ConfigError(displayPath(yamlPath), [
        `integrations.slack.actions.notify: file ${file('notify')} cannot be read: its symbolic links form a loop (ELOOP)`,
        `integrations.slack.actions.a: file ${file('a')} cannot be read: its symbolic links form a loop (ELOOP)`,
        `integrations.slack.actions.folder: file ${file('folder')} is not a file`,
        `integrations.slack.actions.gone: file ${file('gone')} does not exist`,
      ]),
    );
  });

  it('names the file it cannot read and keeps the cause', () => {
    const yamlPath = path.join(dir, 'missing.yaml');
    let error: unknown;
    try {
      loadIntegrationsConfig({ yamlPath, integrationsDir: dir });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([`${yamlPath}: cannot read the file (ENOENT)`]);
    expect((error as ConfigError).cause).toMatchObject({ code: 'ENOENT' });
  });
});
