import { startApiServer, type ApiServer } from '../helpers/apiServer';
import { startHarness, type Harness } from '../helpers/harness';

/** Large enough that a parse or an encoding of it cannot be mistaken for anything else a call handles. */
const CONFIG_CHARS = 150_000;
const SEEN_AS_CONFIG = 100_000;

/** Config of about CONFIG_CHARS as JSON, made of many small objects, as real settings are. */
function largeConfig(): Record<string, unknown> {
  const items = Array.from({ length: Math.ceil(CONFIG_CHARS / 40) }, (_, i) => ({ id: `item-${i}`, on: i % 2 === 0 }));
  return { region: 'eu', items };
}

/**
 * A Connection's metadata (its config) costs nothing to the calls that do not read it: the proxy, getToken and an
 * action run parse no copy of it in the worker, and GET /connection sends it as stored, neither parsed nor encoded
 * again. Watched through JSON.parse and JSON.stringify in the worker's own process.
 */
describe('calls on a Connection with large metadata (real broker, SQLite file)', () => {
  let h: Harness;
  let provider: ApiServer;
  let parsed: number[];
  let encoded: number[];

  beforeEach(async () => {
    provider = await startApiServer(() => ({ body: { ok: true } }));
    const yaml = `integrations:
  demo:
    auth_mode: API_KEY
    base_url: ${provider.url}
    headers:
      x-api-key: \${api_key}
    actions:
      returnsNothing:
`;
    h = await startHarness({ yaml, maxMetadataBytes: 1024 * 1024 });
    await h.nango.registerConnection('demo', 'alice', { api_key: 'k-a' }, largeConfig());
    parsed = [];
    encoded = [];
    const parse = JSON.parse.bind(JSON);
    const stringify = JSON.stringify.bind(JSON);
    jest.spyOn(JSON, 'parse').mockImplementation((text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
      if (typeof text === 'string' && text.length > SEEN_AS_CONFIG) parsed.push(text.length);
      return parse(text, reviver);
    });
    jest.spyOn(JSON, 'stringify').mockImplementation(((value: unknown, replacer?: never, space?: never) => {
      const text = stringify(value, replacer, space);
      if (typeof text === 'string' && text.length > SEEN_AS_CONFIG) encoded.push(text.length);
      return text;
    }) as typeof JSON.stringify);
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await h.stop();
    await provider.close();
  });

  const api = (path: string, init: RequestInit = {}) => fetch(`${h.worker.httpUrl ?? ''}${path}`, init);

  it('the proxy and getToken neither parse nor encode it', async () => {
    const proxied = await api('/proxy/items', { headers: { 'connection-id': 'alice', 'provider-config-key': 'demo' } });
    expect(proxied.status).toBe(200);
    await proxied.text();
    expect(provider.requests.at(-1)?.headers['x-api-key']).toBe('k-a');
    await expect(h.nango.getToken('demo', 'alice')).resolves.toEqual({ success: true, returnValue: 'k-a' });
    expect({ parsed, encoded }).toEqual({ parsed: [], encoded: [] });
  });

  it('an action that does not read it runs without a parse of it in the worker', async () => {
    await expect(h.nango.triggerAction('demo', 'returnsNothing', 'alice', {})).resolves.toMatchObject({ success: true });
    expect({ parsed, encoded }).toEqual({ parsed: [], encoded: [] });
  });

  it('GET /connection and getConnection send it as stored, whole and right', async () => {
    const text = await (await api('/connection/alice?provider_config_key=demo')).text();
    const rpc = await h.nango.getConnection('demo', 'alice');
    // The one parse is the client's own, of its reply: the worker neither parsed nor encoded the config.
    expect({ parsed: parsed.length, encoded }).toEqual({ parsed: 1, encoded: [] });
    jest.restoreAllMocks();
    const body = JSON.parse(text) as { metadata: unknown; connection_config: unknown };
    expect(body.metadata).toEqual(largeConfig());
    expect(body.connection_config).toEqual(largeConfig());
    expect(rpc.returnValue?.additionalConfig).toEqual(largeConfig());
  });
});
