import { compileTemplate, CREDENTIAL_FIELDS, substituteEnv } from '../../src/config/compileTemplate';

const path = 'integrations.x.headers.X-Test';

describe('compileTemplate', () => {
  it('compiles every placeholder kind and keeps literals in between', () => {
    const { template, problems } = compileTemplate('u=${userId};t=${access_token};c=${additionalConfig.a.b}!', {
      path,
      authMode: 'OAUTH2',
      env: {},
    });
    expect(problems).toEqual([]);
    expect(template).toEqual({
      source: 'u=${userId};t=${access_token};c=${additionalConfig.a.b}!',
      path,
      parts: [
        'u=',
        { kind: 'userId' },
        ';t=',
        { kind: 'credential', field: 'access_token' },
        ';c=',
        { kind: 'config', path: ['a', 'b'] },
        '!',
      ],
    });
  });

  it('substitutes environment variables into literal parts, merged with their neighbours', () => {
    const { template, problems } = compileTemplate('Bearer ${TOKEN} ${api_key}', {
      path,
      authMode: 'API_KEY',
      env: { TOKEN: 'abc' },
    });
    expect(problems).toEqual([]);
    expect(template.parts).toEqual(['Bearer abc ', { kind: 'credential', field: 'api_key' }]);
  });

  it('keeps the text as written in source, so printing it never shows an environment value', () => {
    const { template } = compileTemplate('Bearer ${TOKEN}', { path, authMode: 'OAUTH2', env: { TOKEN: 'hunter2' } });
    expect(template.source).toBe('Bearer ${TOKEN}');
    expect(template.parts).toEqual(['Bearer hunter2']);
  });

  it('takes an environment value literally, even when it looks like a placeholder', () => {
    const { template, problems } = compileTemplate('${WEIRD}', {
      path,
      authMode: 'OAUTH2',
      env: { WEIRD: 'a${userId}b${NOPE}' },
    });
    expect(problems).toEqual([]);
    expect(template.parts).toEqual(['a${userId}b${NOPE}']);
  });

  it('compiles a string without placeholders to one part, and an empty string to none', () => {
    expect(compileTemplate('plain', { path, authMode: 'OAUTH2', env: {} }).template.parts).toEqual(['plain']);
    expect(compileTemplate('', { path, authMode: 'OAUTH2', env: {} }).template.parts).toEqual([]);
  });

  it('allows only the credential fields of the auth mode', () => {
    const compiled = compileTemplate('${username}:${password}', { path, authMode: 'USERNAME_PASSWORD', env: {} });
    expect(compiled.problems).toEqual([]);
    expect(compileTemplate('${api_key}', { path, authMode: 'OAUTH2', env: {} }).problems).toEqual([
      'unknown placeholder ${api_key}; use ${access_token}, ${userId}, ${additionalConfig.<key>} ' +
        'or an UPPER_CASE environment variable',
    ]);
    expect(compileTemplate('${oauth_token_secret}', { path, authMode: 'OAUTH1', env: {} }).problems).toEqual([
      'unknown placeholder ${oauth_token_secret}; use ${oauth_token}, ${userId}, ${additionalConfig.<key>} ' +
        'or an UPPER_CASE environment variable',
    ]);
  });

  it('reports malformed placeholders', () => {
    const compile = (text: string) => compileTemplate(text, { path, authMode: 'OAUTH2', env: {} }).problems;
    expect(compile('${additionalConfig}')[0]).toMatch(/^unknown placeholder \$\{additionalConfig\};/);
    expect(compile('${additionalConfig.a..b}')[0]).toMatch(/^unknown placeholder \$\{additionalConfig\.a\.\.b\};/);
    expect(compile('${}')[0]).toMatch(/^unknown placeholder \$\{\};/);
    expect(compile('abc${userId')).toEqual(['unclosed ${: write placeholders as ${name}']);
  });

  it('reports a missing environment variable by name', () => {
    const { problems } = compileTemplate('${MISSING}', { path, authMode: 'OAUTH2', env: {} });
    expect(problems).toEqual(['environment variable MISSING is not set']);
  });

  it('refuses credential placeholders in base_url, and only there', () => {
    const baseUrl = 'integrations.x.base_url';
    const compile = (text: string, options: { path: string; baseUrl?: boolean }) =>
      compileTemplate(text, { ...options, authMode: 'API_KEY', env: {} }).problems;
    const refusal = 'credential placeholder ${api_key} is not allowed in base_url; put it in headers or query_params';
    expect(compile('https://api.telegram.org/bot${api_key}', { path: baseUrl })).toEqual([refusal]);
    expect(compile('https://a.io/${api_key}', { path: 'anywhere', baseUrl: true })).toEqual([refusal]);
    expect(compile('https://${additionalConfig.site}.a.io/${userId}', { path: baseUrl })).toEqual([]);
    // A header that happens to be called base_url is a header.
    expect(compile('${api_key}', { path: 'integrations.x.headers.base_url' })).toEqual([]);
    expect(compile('${api_key}', { path: baseUrl, baseUrl: false })).toEqual([]);
  });

  it('freezes the template and its parts', () => {
    const { template } = compileTemplate('a${additionalConfig.k}', { path, authMode: 'OAUTH2', env: {} });
    expect(Object.isFrozen(template)).toBe(true);
    expect(Object.isFrozen(template.parts)).toBe(true);
    expect(Object.isFrozen(template.parts[1])).toBe(true);
  });
});

describe('substituteEnv', () => {
  it('uses the default when the variable is unset or empty, and the value otherwise', () => {
    expect(substituteEnv('${A:-x}|${B:-y}|${C:-z}|${D:-}', { B: '', C: 'set' })).toEqual({
      value: 'x|y|set|',
      problems: [],
    });
  });

  it('keeps an empty value of a variable without default', () => {
    expect(substituteEnv('[${EMPTY}]', { EMPTY: '' })).toEqual({ value: '[]', problems: [] });
  });

  it('rejects per-Connection placeholders and keeps them as written', () => {
    const { value, problems } = substituteEnv('id-${userId}', {});
    expect(value).toBe('id-${userId}');
    expect(problems).toEqual([
      'placeholder ${userId} is not allowed here: per-Connection placeholders only go in base_url, headers and ' +
        'query_params; use an UPPER_CASE environment variable',
    ]);
  });

  it('keeps placeholders without a problem where they are allowed', () => {
    expect(substituteEnv('${userId}-${A}', { A: 'a' }, { allowPlaceholders: true })).toEqual({
      value: '${userId}-a',
      problems: [],
    });
  });

  it('never re-reads a substituted value', () => {
    expect(substituteEnv('${A}', { A: '${B}', B: 'no' })).toEqual({ value: '${B}', problems: [] });
  });
});

describe('CREDENTIAL_FIELDS', () => {
  it("reads a JWT Connection's signed token for the catalog's ${access_token}", () => {
    const { template } = compileTemplate('Ghost ${access_token}', { path: 'h', authMode: 'JWT', env: {} });
    expect(template.parts).toEqual(['Ghost ', { kind: 'credential', field: 'token' }]);
  });

  it('names the fields of each auth mode', () => {
    expect(CREDENTIAL_FIELDS).toEqual({
      OAUTH2: ['access_token'],
      OAUTH1: ['oauth_token'],
      OAUTH2_CC: ['token'],
      SIGNATURE: ['username'],
      API_KEY: ['api_key'],
      USERNAME_PASSWORD: ['username', 'password'],
      MCP_OAUTH2: ['access_token'],
      MCP_OAUTH2_GENERIC: ['access_token'],
      JWT: ['token', 'access_token'],
      TWO_STEP: ['token'],
    });
    expect(Object.isFrozen(CREDENTIAL_FIELDS)).toBe(true);
  });
});
