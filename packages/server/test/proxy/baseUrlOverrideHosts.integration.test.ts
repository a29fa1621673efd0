import { resolveWorkerSettings } from '../../src/settings';
import { checkOverrideHost, parseAllowList } from '../../src/outbound/overrideHost';
import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';
import { startProviderServer, type ProviderServer } from './providerServer';

const KEY = 'override-hosts-key';

/** Every way of writing the loopback host of `port` that a string comparison would miss (19 in the probe). */
function loopbackForms(port: string): string[] {
  return [
    `http://127.0.0.1:${port}`,
    `http://localhost:${port}`,
    `http://LOCALHOST:${port}`,
    `http://localhost.:${port}`,
    `http://127.1:${port}`,
    `http://127.0.1:${port}`,
    `http://2130706433:${port}`,
    `http://0x7f000001:${port}`,
    `http://0x7f.0.0.1:${port}`,
    `http://0177.0.0.1:${port}`,
    `http://127.000.000.001:${port}`,
    `http://127.0.0.1.:${port}`,
    `http://[::1]:${port}`,
    `http://[0:0:0:0:0:0:0:1]:${port}`,
    `http://[::ffff:127.0.0.1]:${port}`,
    `http://[::ffff:7f00:1]:${port}`,
    `http://0.0.0.0:${port}`,
    `http://0:${port}`,
    `HTTP://127.0.0.1:${port}/`,
  ];
}

/** Link-local and cloud metadata addresses, in several forms: checked without the proxy, so never contacted. */
const METADATA = [
  'http://169.254.169.254',
  'http://169.254.169.254.',
  'http://0xa9fea9fe',
  'http://2852039166',
  'http://169.254.1.1:8080',
  'http://[::ffff:169.254.169.254]',
  'http://[fd00:ec2::254]',
  'http://[FD00:EC2:0::254]',
  'http://[fe80::1]',
  'http://[febf::1]',
  'http://metadata.google.internal',
  'http://METADATA.google.internal.',
];

/**
 * `Base-Url-Override` sent the Connection's credentials to any host when NANGO_PROXY_ALLOWED_HOSTS was unset. Now
 * the default allows the integration's own hosts only (its base URL, its catalog entry's), `*` says any host, and
 * link-local and metadata addresses need an entry of their own; hosts are compared parsed, never as text.
 */
describe('Base-Url-Override hosts', () => {
  let provider: ProviderServer;
  let other: ProviderServer;
  let catalogHost: ProviderServer;
  const apis: ApiHarness[] = [];

  beforeAll(async () => {
    provider = await startProviderServer();
    other = await startProviderServer();
    catalogHost = await startProviderServer();
  });
  afterAll(async () => {
    for (const api of apis) await api.stop();
    await provider.close();
    await other.close();
    await catalogHost.close();
  });
  beforeEach(() => {
    other.seen.length = 0;
    provider.seen.length = 0;
    catalogHost.seen.length = 0;
  });

  async function start(proxyAllowedHosts?: string[]): Promise<ApiHarness> {
    const api = await startApi({
      secretKey: KEY,
      yaml: `integrations:
  keyed:
    auth_mode: API_KEY
    base_url: ${provider.url}/api
    headers:
      X-Key: \${api_key}
  hub:
    provider: hub
    base_url: ${provider.url}
    headers:
      X-Key: \${api_key}
`,
      catalog: catalogOf({ name: 'hub', auth_mode: 'API_KEY', proxy: { base_url: `${catalogHost.url}/v1` } }),
      ...(proxyAllowedHosts && { proxyAllowedHosts }),
    });
    apis.push(api);
    const store = await api.store();
    for (const integration of ['keyed', 'hub']) {
      await store.insert({ integration, userId: 'u1', credentials: { api_key: 'secret-k', raw: {} }, additionalConfig: {} });
    }
    return api;
  }

  const proxy = (api: ApiHarness, override: string, integration = 'keyed') =>
    api.call('/proxy/x', {
      key: KEY,
      headers: { 'Connection-Id': 'u1', 'Provider-Config-Key': integration, 'Base-Url-Override': override },
    });
  const otherPort = () => new URL(other.url).port;

  describe('with NANGO_PROXY_ALLOWED_HOSTS unset', () => {
    let api: ApiHarness;
    beforeAll(async () => {
      api = await start();
    });

    it("allows the integration's own base URL host, and its catalog entry's", async () => {
      expect((await proxy(api, `${provider.url}/v2`)).status).toBe(200);
      expect(provider.seen.map((request) => request.url)).toEqual(['/v2/x']);
      expect((await proxy(api, `${catalogHost.url}/v1`, 'hub')).status).toBe(200);
      expect(catalogHost.seen.map((request) => request.headers['x-key'])).toEqual(['secret-k']);
    });

    it.each(loopbackForms('PORT'))('refuses %s (another port on loopback), sending nothing', async (form) => {
      const reply = await proxy(api, form.replace('PORT', otherPort()));
      expect({ status: reply.status, code: reply.body.error?.code }).toEqual({ status: 403, code: 'base_url_not_allowed' });
      expect(reply.body.error.message).toContain('NANGO_PROXY_ALLOWED_HOSTS');
      expect(other.seen).toEqual([]);
    });

    it('refuses a URL with user info, or that is not http(s)', async () => {
      const withUser = await proxy(api, `http://user:pw@127.0.0.1:${new URL(provider.url).port}`);
      expect({ status: withUser.status, code: withUser.body.error?.code }).toEqual({ status: 400, code: 'invalid_request' });
      expect(JSON.stringify(withUser.body)).not.toContain('pw');
      expect((await proxy(api, 'file:///etc/passwd')).status).toBe(400);
      expect(provider.seen).toEqual([]);
    });
  });

  describe('with NANGO_PROXY_ALLOWED_HOSTS=*', () => {
    let api: ApiHarness;
    beforeAll(async () => {
      api = await start(['*']);
    });

    it('allows any other host', async () => {
      expect((await proxy(api, `http://0x7f000001:${otherPort()}`)).status).toBe(200);
      expect(other.seen.map((request) => request.headers['x-key'])).toEqual(['secret-k']);
    });
  });

  describe('with a list of hosts', () => {
    it('compares parsed hosts: 127.0.0.1 allows 2130706433 but not localhost (no name is resolved)', async () => {
      const api = await start(['127.0.0.1']);
      expect((await proxy(api, `http://2130706433:${otherPort()}`)).status).toBe(200);
      expect((await proxy(api, `http://[::ffff:127.0.0.1]:${otherPort()}`)).status).toBe(200);
      expect((await proxy(api, `http://localhost:${otherPort()}`)).status).toBe(403);
      expect(other.seen).toHaveLength(2);
    });
  });

  describe('the allow-list and host rules', () => {
    const own = [new URL('https://api.example.com/v1')];
    const verdict = (target: string, entries?: string[]) => checkOverrideHost(new URL(target), own, parseAllowList(entries).list);

    // Checked here, not through the proxy: a regression must not send a request off this machine.
    it.each(METADATA)('refuses %s by default and with *, and allows it only when listed itself', (url) => {
      expect(verdict(url)).toMatchObject({ allowed: false });
      const withAny = verdict(url, ['*']);
      expect(withAny).toMatchObject({ allowed: false });
      expect(withAny.allowed ? '' : withAny.why).toMatch(/link-local or cloud metadata/);
      const host = new URL(url).hostname;
      expect(verdict(url, [host.replace(/\.$/, '')])).toEqual({ allowed: true });
    });

    it('matches exact hosts, *.domain subdomains, * for any, and metadata only when listed itself', () => {
      expect(verdict('https://api.example.com/v2')).toEqual({ allowed: true });
      expect(verdict('https://API.example.com./v2')).toEqual({ allowed: true });
      expect(verdict('https://api.example.com:8443')).toMatchObject({ allowed: false });
      expect(verdict('https://eu.example.com')).toMatchObject({ allowed: false });
      expect(verdict('https://eu.example.com', ['*.example.com'])).toEqual({ allowed: true });
      expect(verdict('https://example.com', ['*.example.com'])).toMatchObject({ allowed: false });
      expect(verdict('https://evilexample.com', ['*.example.com'])).toMatchObject({ allowed: false });
      expect(verdict('https://anything.test', ['*'])).toEqual({ allowed: true });
      expect(verdict('http://169.254.169.254', ['*'])).toMatchObject({ allowed: false });
      expect(verdict('http://169.254.169.254', ['*.254.169.254'])).toMatchObject({ allowed: false });
      expect(verdict('http://169.254.169.254/latest', ['169.254.169.254'])).toEqual({ allowed: true });
      expect(verdict('http://[::ffff:a9fe:a9fe]', ['0xa9fea9fe'])).toEqual({ allowed: true });
      expect(verdict('http://metadata.google.internal', ['*.google.internal'])).toMatchObject({ allowed: false });
      expect(verdict('http://metadata.google.internal', ['METADATA.google.internal.'])).toEqual({ allowed: true });
    });

    it('says which entries of NANGO_PROXY_ALLOWED_HOSTS do not parse, at start', () => {
      expect(parseAllowList(['ok.example.com', '*.fine.test', '[::1]', 'http://x/', 'a b', '*.', '**']).problems).toEqual([
        "'http://x/' is not a host name or address, *.<domain> or *",
        "'a b' is not a host name or address, *.<domain> or *",
        "'*.' is not a host name or address, *.<domain> or *",
        "'**' is not a host name or address, *.<domain> or *",
      ]);
      expect(() => resolveWorkerSettings({ NANGO_PROXY_ALLOWED_HOSTS: 'good.test, bad host' })).toThrow(
        /NANGO_PROXY_ALLOWED_HOSTS: 'bad host' is not a host/,
      );
    });
  });
});
