import type { NangoError } from '@nangohq/node-client';
import type { NangoAuthCredentials } from '@nangohq/protocol';
import { startApiServer, type ApiServer } from '../helpers/apiServer';
import { waitFor, type Harness } from '../helpers/harness';
import { ITEMS_SYNC_YAML, startModeHarness, type ModeHarness } from './modeHarness';

const SECRET = 'none-test-secret-key';

/**
 * Unauthenticated (NONE) integrations: Connections made by the frontend's create() route and over RabbitMQ with no
 * credentials, and an action, a proxy call and a sync reaching an open API with no credential on the request.
 */
describe('NONE (unauthenticated)', () => {
  let open: ApiServer;
  let mode: ModeHarness;
  let h: Harness;
  let url: string;
  let withKey: ModeHarness['withKey'];

  beforeAll(async () => {
    // A public API: it answers anyone, and the test checks nobody sent it a credential.
    open = await startApiServer((request) =>
      request.url.startsWith('/items') ? { body: { items: [{ id: 'slot-1', name: '9:00' }] } } : { body: { path: request.url } },
    );
    mode = await startModeHarness({
      yaml: `
integrations:
  booking:
    auth_mode: NONE
    base_url: ${open.url}
    headers:
      X-Tenant: \${additionalConfig.subdomain}
${ITEMS_SYNC_YAML}`,
      withScripts: ['booking'],
      secretKey: SECRET,
    });
    ({ harness: h, url, withKey } = mode);
  }, 30_000);

  afterAll(async () => {
    await mode?.stop();
    await open?.close();
  });

  const noCredentialSent = () => {
    for (const request of open.requests) {
      expect(request.headers.authorization).toBeUndefined();
      expect(request.url).not.toContain(SECRET);
    }
  };

  it("makes a Connection from the frontend's create() route: its config, no credentials", async () => {
    // As frontend 0.71 sends it: a JSON content type and no body.
    const reply = await fetch(`${url}/auth/unauthenticated/booking?connection_id=ann&params%5Bsubdomain%5D=acme`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    expect(reply.status).toBe(200);
    expect(await reply.json()).toEqual({ connectionId: 'ann', providerConfigKey: 'booking' });
    const connection = (await (
      await fetch(`${url}/connection/ann?provider_config_key=booking`, { headers: withKey })
    ).json()) as Record<string, unknown>;
    expect(connection['credentials']).toEqual({ type: 'NONE', raw: {} });
    expect(connection['connection_config']).toEqual({ subdomain: 'acme' });
  });

  it('registers a Connection over RabbitMQ with empty credentials, and refuses any credential given', async () => {
    await h.nango.registerConnection('booking', 'bob', {}, { subdomain: 'bobs' });
    const error = (await h.nango
      .registerConnection('booking', 'carol', { api_key: 'k' } as NangoAuthCredentials)
      .catch((e: unknown) => e)) as NangoError;
    expect(error.code).toBe('invalid_credentials');
    expect(error.errorMsg).toContain('an unauthenticated (NONE) Connection holds no credentials: remove api_key');
    const bob = await h.nango.getConnection('booking', 'bob');
    expect(bob.returnValue).toMatchObject({ credentials: { raw: {} }, additionalConfig: { subdomain: 'bobs' } });
    const carol = (await h.nango.getConnection('booking', 'carol').catch((e: unknown) => e)) as NangoError;
    expect(carol.code).toBe('connection_not_found');
  });

  it('imports a Connection with POST /connections { type: NONE }', async () => {
    const imported = await fetch(`${url}/connections`, {
      method: 'POST',
      headers: { ...withKey, 'content-type': 'application/json' },
      body: JSON.stringify({
        provider_config_key: 'booking',
        connection_id: 'dora',
        credentials: { type: 'NONE' },
        connection_config: { subdomain: 'doras' },
      }),
    });
    expect(imported.status).toBe(201);
    const extra = await fetch(`${url}/connections`, {
      method: 'POST',
      headers: { ...withKey, 'content-type': 'application/json' },
      body: JSON.stringify({ provider_config_key: 'booking', connection_id: 'eve', credentials: { type: 'NONE', apiKey: 'k' } }),
    });
    expect(extra.status).toBe(400);
    expect(JSON.stringify(await extra.json())).toContain('body/credentials/apiKey is not a field of NONE credentials');
  });

  it('runs an action and a proxy call that send no credential', async () => {
    const result = await h.nango.triggerAction('booking', 'call', 'bob', { endpoint: '/slots', params: { day: 'mon' } });
    expect(result.returnValue).toMatchObject({ ok: true, status: 200, body: { path: '/slots?day=mon' } });
    // Found by path: each Connection's sync runs beside these calls and reads the same API.
    const to = (path: string) => open.requests.find((request) => request.url === path);
    expect(to('/slots?day=mon')?.headers['x-tenant']).toBe('bobs');
    const proxied = await fetch(`${url}/proxy/slots?day=tue`, {
      headers: { ...withKey, 'Connection-Id': 'ann', 'Provider-Config-Key': 'booking' },
    });
    expect(await proxied.json()).toEqual({ path: '/slots?day=tue' });
    expect(to('/slots?day=tue')?.headers['x-tenant']).toBe('acme');
    noCredentialSent();
  });

  it('runs the sync of each Connection', async () => {
    const records = async (connectionId: string) => {
      const reply = await fetch(`${url}/records?model=Item`, {
        headers: { ...withKey, 'Connection-Id': connectionId, 'Provider-Config-Key': 'booking' },
      });
      return ((await reply.json()) as { records: unknown[] }).records;
    };
    await waitFor(async () => (await records('ann')).length === 1 && (await records('bob')).length === 1, 20_000, 'both syncs');
    expect(await records('ann')).toEqual([expect.objectContaining({ id: 'slot-1', name: '9:00' })]);
    noCredentialSent();
  }, 30_000);
});
