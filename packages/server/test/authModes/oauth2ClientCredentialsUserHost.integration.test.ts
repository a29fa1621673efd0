/**
 * An OAUTH2_CC entry whose token URL's host the user types (`http://${connectionConfig.hostname}:<port>/oauth/token`,
 * a self-hosted instance): the Connection's own client may go there, through the address guard (net/addressGuard.ts);
 * the integration's client never does. Without NANGO_ALLOW_PRIVATE_HOSTS a name that resolves to loopback is refused
 * before the local server playing the instance sees a request, and nothing is stored; with it, the Connection is made.
 */
import type { Provider } from '../../src/providers/Provider';
import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';
import { answerNames } from '../helpers/answerNames';
import { startApiServer, type ApiServer } from '../helpers/apiServer';

const SECRET_KEY = 'cc-user-host-secret-key';
const OWN_CLIENT = { client_id: 'ann-client', client_secret: 'ann-secret-never-logged' };
const INTEGRATION_SECRET = 'integration-secret-never-sent';

const ANSWERS: Readonly<Record<string, string>> = {
  'auth.acme.test': '127.0.0.1',
  'metadata.acme.test': '169.254.169.254',
};

jest.setTimeout(30_000);

let instance: ApiServer;
let restoreDns: () => void;
let catalog: ReturnType<typeof catalogOf>;

beforeAll(async () => {
  restoreDns = answerNames(ANSWERS);
  instance = await startApiServer(() => ({ body: { access_token: 'cc-token', expires_in: 3600 } }));
  const port = new URL(instance.url).port;
  catalog = catalogOf({
    name: 'selfhosted-cc',
    auth_mode: 'OAUTH2_CC',
    token_url: `http://\${connectionConfig.hostname}:${port}/oauth/token`,
    connection_config: { hostname: { type: 'string', title: 'Instance host', pattern: '^[a-zA-Z0-9.-]+$' } },
    credentials: { client_id: { type: 'string' }, client_secret: { type: 'string', secret: true } },
    proxy: { base_url: `${instance.url}/api` },
  } as unknown as Provider);
});

afterAll(async () => {
  await instance?.close();
  restoreDns?.();
});

async function startWith(allowPrivateHosts: boolean): Promise<ApiHarness> {
  const yaml = [
    'integrations:',
    '  own:',
    '    provider: selfhosted-cc',
    '  platform:',
    '    provider: selfhosted-cc',
    '    oauth:',
    '      client_id: platform-client',
    `      client_secret: ${INTEGRATION_SECRET}`,
  ].join('\n');
  return startApi({ secretKey: SECRET_KEY, yaml: `${yaml}\n`, catalog, allowPrivateHosts });
}

function connect(api: ApiHarness, key: string, connectionId: string, hostname: string, body: unknown) {
  const query = new URLSearchParams({ connection_id: connectionId, 'params[hostname]': hostname });
  return api.call(`/oauth2/auth/${key}?${query.toString()}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function stored(api: ApiHarness, key: string, connectionId: string): Promise<number> {
  return (await api.call(`/connection/${connectionId}?provider_config_key=${key}`, { key: SECRET_KEY })).status;
}

describe('an OAUTH2_CC token host the user types, without NANGO_ALLOW_PRIVATE_HOSTS', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startWith(false);
  });
  afterAll(async () => {
    await api?.stop();
  });

  it.each([
    ['auth.acme.test', 'a loopback or private address'],
    ['metadata.acme.test', 'a link-local or cloud metadata address'],
  ])("refuses %s with the Connection's own client before any request, and stores nothing", async (hostname, why) => {
    const before = instance.requests.length;
    const posted = await connect(api, 'own', 'mallory', hostname, OWN_CLIENT);
    expect(posted.status).toBe(400);
    expect(JSON.stringify(posted.body)).toContain(`${hostname} resolves to ${why}`);
    expect(JSON.stringify(posted.body)).not.toContain(OWN_CLIENT.client_secret);
    expect(instance.requests.length).toBe(before);
    expect(await stored(api, 'own', 'mallory')).toBe(404);
  });
});

describe('an OAUTH2_CC token host the user types, with NANGO_ALLOW_PRIVATE_HOSTS', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startWith(true);
  });
  afterAll(async () => {
    await api?.stop();
  });

  it("connects with the Connection's own client: the token request goes to the typed host", async () => {
    const before = instance.requests.length;
    const posted = await connect(api, 'own', 'ann', 'auth.acme.test', OWN_CLIENT);
    expect(posted.status).toBe(200);
    const sent = instance.requests.slice(before);
    expect(sent.map((request) => [request.url, request.headers['host']])).toEqual([
      ['/oauth/token', `auth.acme.test:${new URL(instance.url).port}`],
    ]);
    expect(new URLSearchParams(sent[0]?.body).get('client_id')).toBe(OWN_CLIENT.client_id);
    expect(await stored(api, 'own', 'ann')).toBe(200);
  });

  it("never sends the integration's client there: refused before any request", async () => {
    const before = instance.requests.length;
    const posted = await connect(api, 'platform', 'bob', 'auth.acme.test', {});
    expect(posted.status).toBe(400);
    expect(JSON.stringify(posted.body)).toContain("give the Connection's own client_id and client_secret");
    expect(instance.requests.length).toBe(before);
    expect(await stored(api, 'platform', 'bob')).toBe(404);
  });
});
