import { parseAnswerPath, parsePostConnection, valueAt } from '../../src/providers/postConnectionSteps';

describe('the post_connection format', () => {
  it('reads one step or a list, with defaults', () => {
    const one = parsePostConnection({ endpoint: '/me', store: { accountId: 'account.id' } });
    expect(one.problems).toEqual([]);
    expect(one.steps).toEqual([
      {
        method: 'GET',
        baseUrl: undefined,
        endpoint: '/me',
        headers: {},
        data: undefined,
        store: [
          {
            key: 'accountId',
            path: 'account.id',
            segments: [
              { kind: 'key', key: 'account' },
              { kind: 'key', key: 'id' },
            ],
            pattern: undefined,
          },
        ],
      },
    ]);
    const list = parsePostConnection([
      {
        method: 'post',
        base_url: 'https://api.example.com',
        endpoint: '/sites',
        headers: { accept: 'application/json' },
        data: { all: true },
        store: { siteId: '[0].id' },
      },
      { store: { myDomain: { path: 'instance_url', pattern: '^https://([a-z0-9-]+)\\.my\\.example\\.com' } } },
    ]);
    expect(list.problems).toEqual([]);
    expect(list.steps.map((step) => [step.method, step.baseUrl, step.endpoint])).toEqual([
      ['POST', 'https://api.example.com', '/sites'],
      ['GET', undefined, undefined],
    ]);
    expect(list.steps[1]?.store[0]?.pattern?.source).toBe('^https:\\/\\/([a-z0-9-]+)\\.my\\.example\\.com');
    expect(parsePostConnection(undefined)).toEqual({ steps: [], problems: [] });
  });

  it('reports every problem with its place', () => {
    const { steps, problems } = parsePostConnection([
      { method: 'DELETE', endpoint: '', store: {}, extra: 1 },
      { headers: { a: 'b' }, store: { 'bad key!': 'x', ok: { path: 'a..b' }, re: { path: 'a', pattern: '(' }, none: 3 } },
      'nope',
    ]);
    expect(steps).toEqual([]);
    expect(problems).toEqual([
      'post_connection[0].extra: unknown field; a step has method, base_url, endpoint, headers, data, store',
      'post_connection[0].method: must be one of GET, POST, PUT, PATCH',
      'post_connection[0].endpoint: must be non-empty text',
      'post_connection[0].store: must map at least one config key to a path in the answer',
      'post_connection[1]: base_url, headers and data go with an endpoint (a step without one reads the config)',
      "post_connection[1].store.bad key!: a config key is 1-64 letters, digits, '.', '-' or '_'",
      'post_connection[1].store.ok: the path "a..b" is not keys and [n] or [key=value] indexes (at character 2)',
      'post_connection[1].store.re.pattern: is not a valid JavaScript regular expression',
      'post_connection[1].store.none: must be a path, or { path, pattern? }',
      'post_connection[2]: must be a mapping with store (and endpoint, for a request)',
    ]);
  });

  it('walks paths: keys, indexes and the first element matching key=value', () => {
    const answer = {
      accounts: [
        { id: 1, product: 'bc2' },
        { id: 2, product: 'bc3', href: 'https://x' },
      ],
      urls: { custom_domain: 'https://acme.my.example.com' },
    };
    const at = (path: string) => {
      const segments = parseAnswerPath(path);
      if (typeof segments === 'string') throw new Error(segments);
      return valueAt(answer, segments);
    };
    expect(at('accounts[1].id')).toBe(2);
    expect(at('accounts[product=bc3].href')).toBe('https://x');
    expect(at('accounts[product=none].id')).toBeUndefined();
    expect(at('urls.custom_domain')).toBe('https://acme.my.example.com');
    expect(at('urls.constructor')).toBeUndefined();
    expect(valueAt([{ id: 'c-1' }], parseAnswerPath('[0].id') as never)).toBe('c-1');
    expect(parseAnswerPath('.a')).toMatch(/not keys/);
    expect(parseAnswerPath('a b')).toMatch(/not keys/);
    expect(parseAnswerPath('')).toBe('the path is empty');
  });
});
