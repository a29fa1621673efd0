import { addressProblem } from '../../src/net/addressGuard';
import { checkUserHostsKept, userHostValueProblem } from '../../src/operations/userHostFields';
import { baseUrlHost } from '../../src/config/baseUrlHost';
import { compileTemplate } from '../../src/config/compileTemplate';

describe('addressProblem: where a host the user types may not lead', () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fd12::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
  ])('refuses the loopback or private %s unless NANGO_ALLOW_PRIVATE_HOSTS', (address) => {
    expect(addressProblem(address, false)).toContain('loopback or private');
    expect(addressProblem(address, true)).toBeUndefined();
  });

  it.each(['169.254.169.254', '169.254.0.1', 'fe80::1', 'fd00:ec2::254', '::ffff:169.254.169.254'])(
    'refuses the link-local or metadata %s whatever the setting',
    (address) => {
      expect(addressProblem(address, false)).toContain('link-local or cloud metadata');
      expect(addressProblem(address, true)).toContain('link-local or cloud metadata');
    },
  );

  it.each(['93.184.216.34', '172.32.0.1', '8.8.8.8', '2606:4700::1111'])('lets the public %s through', (address) => {
    expect(addressProblem(address, false)).toBeUndefined();
  });
});

describe('userHostValueProblem: a typed host is a host name alone', () => {
  it.each(['gitlab.acme.example', 'localhost', 'a-b.c1.example'])('takes %s', (value) => {
    expect(userHostValueProblem(value)).toBeUndefined();
  });

  it.each([
    '127.0.0.1',
    '0x7f.1',
    '2130706433',
    '[::1]',
    'a..b',
    'host_1.example',
    'acme.example:8443',
    'https://acme.example',
    'acme.example/x',
    'u@acme.example',
    '-a.example',
    '',
  ])('refuses %s', (value) => {
    expect(userHostValueProblem(value)).toBeDefined();
  });
});

describe('baseUrlHost: placeholders in a host', () => {
  const analysed = (text: string) => {
    const { template, problems } = compileTemplate(text, { path: 'base_url', authMode: 'API_KEY', env: {}, baseUrl: true });
    expect(problems).toEqual([]);
    return baseUrlHost(template);
  };

  it('tells a tenant label under a fixed domain from a host the user types', () => {
    expect(analysed('https://${additionalConfig.tenant}.example.com').hostParts.size).toBe(1);
    expect(analysed('https://${additionalConfig.tenant}.example.com').userHostParts.size).toBe(0);
    for (const text of [
      'https://${additionalConfig.host}/api',
      'https://api.${additionalConfig.domain}',
      'https://${additionalConfig.a}.${additionalConfig.b}',
    ]) {
      const found = analysed(text);
      expect(found.problem).toBeUndefined();
      expect(found.userHostParts.size).toBeGreaterThan(0);
      expect(found.hostParts.size).toBe(0);
    }
  });

  it('still refuses a placeholder in the scheme, user info or port, and before a numeric last label', () => {
    expect(analysed('https://${additionalConfig.user}@api.example.com').problem).toContain('scheme, user info or port');
    expect(analysed('https://api.${additionalConfig.n}.10').problem).toBeDefined();
    expect(analysed('https://${userId}/api').problem).toContain('may not make up a host');
  });
});

describe('checkUserHostsKept: a typed host is fixed once made', () => {
  const keys = new Set(['hostname']);
  const where = (key: string) => `additionalConfig.${key}`;

  it('lets the rest of the config change, and a host never set be set once', () => {
    expect(() =>
      checkUserHostsKept(keys, { hostname: 'a.example', team: 1 }, { hostname: 'a.example', team: 2 }, where),
    ).not.toThrow();
    expect(() => checkUserHostsKept(keys, {}, { hostname: 'a.example' }, where)).not.toThrow();
  });

  it.each([{ hostname: 'b.example' }, {}, { hostname: '' }])('refuses %j, naming the key and not the values', (next) => {
    let message = '';
    try {
      checkUserHostsKept(keys, { hostname: 'a.example' }, next, where);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('additionalConfig.hostname makes up the host');
    expect(message).not.toContain('example');
  });
});
