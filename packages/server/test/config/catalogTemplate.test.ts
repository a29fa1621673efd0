import { createHash } from 'node:crypto';
import {
  CatalogTemplateError,
  hostNamesOf,
  namesOf,
  parseCatalogTemplate,
  renderCatalogTemplate,
  type CatalogScope,
} from '../../src/config/catalogTemplate';
import { formatInstant } from '../../src/config/formatInstant';

const NOW = new Date('2026-03-04T05:06:07.089Z');

function scope(values: Record<string, unknown>, now = NOW): CatalogScope {
  return {
    now,
    lookUp: (path) => {
      let current: unknown = values;
      for (const key of path) {
        current = typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[key] : undefined;
      }
      return current;
    },
  };
}

const render = (text: string, values: Record<string, unknown> = {}): string =>
  renderCatalogTemplate(parseCatalogTemplate(text), scope(values));

describe('parseCatalogTemplate and renderCatalogTemplate', () => {
  it('keeps a string without placeholders as written', () => {
    expect(render('https://api.example.com/v1?a=b')).toBe('https://api.example.com/v1?a=b');
  });

  it('reads credentials, connectionConfig and raw fields by their dotted names', () => {
    const values = { credentials: { clientId: 'id-1', raw: { accountID: 42 } }, connectionConfig: { domain: 'acme.test' } };
    expect(render('https://${connectionConfig.domain}/x?c=${credentials.clientId}&a=${credentials.raw.accountID}', values)).toBe(
      'https://acme.test/x?c=id-1&a=42',
    );
  });

  it('reads ${stepN.x} from the answer of an earlier step, nested paths included', () => {
    const values = { step1: { IdentityServiceUrl: 'https://id.test' }, step2: { data: { token_endpoint: 'https://t.test' } } };
    expect(render('${step1.IdentityServiceUrl}/.well-known/openid-configuration', values)).toBe(
      'https://id.test/.well-known/openid-configuration',
    );
    expect(render('${step2.data.token_endpoint}', values)).toBe('https://t.test');
  });

  it('renders ${now} as ISO 8601 and ${now:FMT} in the format, in UTC', () => {
    expect(render('${now}')).toBe('2026-03-04T05:06:07.089Z');
    expect(render('${now:YYYY-MM-DDTHH:mm:ss}')).toBe('2026-03-04T05:06:07');
    expect(render('${now:YYYYMMDDTHHmmss[Z]}')).toBe('20260304T050607Z');
    expect(render('${now:ddd, DD MMM YYYY HH:mm:ss ZZ}')).toBe('Wed, 04 Mar 2026 05:06:07 +0000');
  });

  it('shifts ${now+N:unit:FMT} by seconds, minutes, hours or days, also backwards', () => {
    expect(render('${now+7:days:YYYY-MM-DD}')).toBe('2026-03-11');
    expect(render('${now+1:minutes:HH:mm}')).toBe('05:07');
    expect(render('${now-2:hours:HH}')).toBe('03');
    expect(render('${now+30:seconds:mm:ss}')).toBe('06:37');
  });

  it('applies base64() and sha256Hex(), nested, to what their parentheses render', () => {
    const values = { credentials: { user: 'ann', pass: 'p:w' }, random: 'r1' };
    expect(render('Basic ${base64(${credentials.user}:${credentials.pass})}', values)).toBe(
      `Basic ${Buffer.from('ann:p:w').toString('base64')}`,
    );
    const inner = Buffer.from('r1ann2026-03-04T05:06:07').toString('base64');
    expect(render('${sha256Hex(${base64(${random}${credentials.user}${now:YYYY-MM-DDTHH:mm:ss})})}', values)).toBe(
      createHash('sha256').update(inner).digest('hex'),
    );
    expect(render('${base64(${credentials.user}:)}', values)).toBe(Buffer.from('ann:').toString('base64'));
  });

  it('takes the first alternative of A || B whose values are all set', () => {
    const template = 'https://${connectionConfig.host}/api || https://www.example.com/api';
    expect(render(template, { connectionConfig: { host: 'own.test' } })).toBe('https://own.test/api');
    expect(render(template, { connectionConfig: {} })).toBe('https://www.example.com/api');
    expect(render(template, { connectionConfig: { host: '' } })).toBe('https://www.example.com/api');
  });

  it('names the first missing value of the last alternative, never a value', () => {
    expect(() => render('${credentials.user}:${credentials.pass}', { credentials: { user: 's3cret-user' } })).toThrow(
      new CatalogTemplateError('${credentials.pass} is not set'),
    );
    expect(() => render('${base64(${credentials.a})}', { credentials: { a: { nested: true } } })).toThrow(/credentials\.a/);
    expect(() => render('${a} || ${b}', { a: 'x' })).not.toThrow();
    expect(() => render('${a} || ${b}', {})).toThrow('${b} is not set');
  });

  it('lists the names a template reads', () => {
    expect(namesOf(parseCatalogTemplate('${base64(${credentials.a}:${step1.b})} ${now} || ${connectionConfig.c}'))).toEqual([
      'credentials.a',
      'step1.b',
      'connectionConfig.c',
    ]);
  });

  it.each([
    ['${credentials.a', 'at character 0: ${ is not closed by }'],
    [
      'x ${awsSigV4(${credentials.a}, us-east-1)}',
      'at character 2: unknown function awsSigV4(); the reader knows base64(), sha256Hex()',
    ],
    ['${base64(${credentials.a}', 'at character 0: base64( is not closed by )}'],
    ['${now+7:fortnights:YYYY}', 'unknown time unit fortnights; use seconds, minutes, hours, days'],
    ['${a b}', '${a b} is not a name'],
    ['${}', '${} is not a name'],
  ])('refuses %s, saying where and why', (text, message) => {
    expect(() => parseCatalogTemplate(text)).toThrow(CatalogTemplateError);
    expect(() => parseCatalogTemplate(text)).toThrow(message);
  });
});

describe('formatInstant', () => {
  it('pads every field and keeps other characters', () => {
    expect(formatInstant(new Date('2026-01-02T03:04:05.006Z'), 'YYYY/MM/DD HH.mm.ss.SSS Z')).toBe(
      '2026/01/02 03.04.05.006 +00:00',
    );
  });
});

describe('hostNamesOf', () => {
  it.each([
    ['https://api.example.com/token', []],
    ['https://api.example.com/${connectionConfig.hostname}/token?x=${credentials.a}', []],
    ['https://${connectionConfig.hostname}/login', [['connectionConfig', 'hostname']]],
    ['http://${connectionConfig.hostname}:8080/login', [['connectionConfig', 'hostname']]],
    ['https://${connectionConfig.tenant}.example.com/token', [['connectionConfig', 'tenant']]],
    ['${step1.token_endpoint}', [['step1', 'token_endpoint']]],
    ['${step1.url}/token', [['step1', 'url']]],
    ['https://api.example.com/a || https://${credentials.domain}/b', [['credentials', 'domain']]],
  ])('finds the names in the host of %s', (source, names) => {
    expect(hostNamesOf(parseCatalogTemplate(source))).toEqual(names);
  });
});
