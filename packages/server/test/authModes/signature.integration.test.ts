import { createHash } from 'node:crypto';
import type { Provider } from '../../src/providers/Provider';
import { startApiServer, type ApiServer, type RecordedRequest } from '../helpers/apiServer';
import { waitFor } from '../helpers/harness';
import { ITEMS_SYNC_YAML, startModeHarness, type ModeHarness } from './modeHarness';

const SECRET = 'signature-test-secret-key';
const USER = { name: 'acme_001', secret: 'wsse-secret-of-acme' };

/**
 * Why Emarsys would refuse the request's X-WSSE header, or undefined when it would accept it: written apart from the
 * server's signer. The digest is recomputed (base64 of the hex SHA-1 of nonce, Created and secret), the nonce must
 * be new and Created within five minutes.
 */
function wsseRefusal(request: RecordedRequest, secrets: ReadonlyMap<string, string>, seen: Set<string>): string | undefined {
  const header = request.headers['x-wsse'];
  if (typeof header !== 'string' || !header.startsWith('UsernameToken ')) return 'no X-WSSE UsernameToken';
  const fields = new Map([...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] as string, m[2] as string]));
  const secret = secrets.get(fields.get('Username') ?? '');
  if (secret === undefined) return 'unknown user';
  const nonce = fields.get('Nonce') ?? '';
  const created = fields.get('Created') ?? '';
  if (!/^[0-9a-f]{32}$/.test(nonce)) return 'bad nonce';
  if (seen.has(nonce)) return 'nonce replayed';
  if (Math.abs(Date.now() - Date.parse(created)) > 300_000 || Number.isNaN(Date.parse(created))) return 'stale Created';
  const hex = createHash('sha1')
    .update(nonce + created + secret)
    .digest('hex');
  if (fields.get('PasswordDigest') !== Buffer.from(hex).toString('base64')) return 'bad digest';
  seen.add(nonce);
  return undefined;
}

/**
 * SIGNATURE (WSSE) end to end: Connections made through POST /auth/signature (the catalog's verification request
 * tried first) and RPC, an action, a proxy call and a sync signed each with a fresh nonce, checked by a local Emarsys.
 */
describe('SIGNATURE (WSSE)', () => {
  let emarsys: ApiServer;
  const refusals: string[] = [];
  const seen = new Set<string>();
  const secrets = new Map([[USER.name, USER.secret]]);
  let mode: ModeHarness;

  beforeAll(async () => {
    emarsys = await startApiServer((request) => {
      const refusal = wsseRefusal(request, secrets, seen);
      if (refusal) {
        refusals.push(refusal);
        return { status: 401, body: { replyCode: 1, replyText: refusal } };
      }
      if (request.url.startsWith('/api/v2/settings')) return { body: { replyCode: 0, data: { id: 1 } } };
      return { body: { items: [{ id: 'e-1', name: 'contact list' }] } };
    });
    mode = await startModeHarness({
      yaml: `
integrations:
  emarsys:
    provider: emarsys-local
${ITEMS_SYNC_YAML}`,
      withScripts: ['emarsys'],
      secretKey: SECRET,
      provider: {
        name: 'emarsys-local',
        auth_mode: 'SIGNATURE',
        proxy: {
          base_url: emarsys.url,
          headers: { 'content-type': 'application/json', 'x-wsse': '${accessToken}' },
          verification: { method: 'GET', endpoints: ['/api/v2/settings'] },
        },
      } as Provider,
    });
  }, 30_000);

  afterAll(async () => {
    await mode?.stop();
    await emarsys?.close();
  });

  const connect = (query: string, body: unknown) =>
    fetch(`${mode.url}/auth/signature/emarsys?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const connection = (id: string) => fetch(`${mode.url}/connection/${id}?provider_config_key=emarsys`, { headers: mode.withKey });

  it('makes a Connection from POST /auth/signature once the verification request, signed, is accepted', async () => {
    const reply = await connect('connection_id=ann', { type: 'SIGNATURE', username: USER.name, password: USER.secret });
    expect(await reply.json()).toEqual({ connectionId: 'ann', providerConfigKey: 'emarsys' });
    expect(emarsys.requests.at(-1)?.url).toBe('/api/v2/settings');
    const { credentials } = (await (await connection('ann')).json()) as { credentials: Record<string, unknown> };
    expect(credentials).toMatchObject({ type: 'SIGNATURE', username: USER.name, password: USER.secret });
    expect(refusals).toEqual([]);
  });

  it('signs an action httpRequest and a proxy call, each with a fresh nonce, in the header the catalog names', async () => {
    const before = emarsys.requests.length;
    const result = await mode.harness.nango.triggerAction('emarsys', 'call', 'ann', { endpoint: '/api/v2/contact' });
    expect(result.returnValue).toMatchObject({ ok: true, status: 200 });
    const proxied = await fetch(`${mode.url}/proxy/api/v2/contact`, {
      headers: { ...mode.withKey, 'Connection-Id': 'ann', 'Provider-Config-Key': 'emarsys' },
    });
    expect(proxied.status).toBe(200);
    const signed = emarsys.requests.slice(before).filter((request) => request.url === '/api/v2/contact');
    expect(signed.length).toBeGreaterThanOrEqual(2);
    expect(new Set(signed.map((request) => request.headers['x-wsse'])).size).toBe(signed.length);
    expect(signed.every((request) => request.headers.authorization === undefined)).toBe(true);
    expect(refusals).toEqual([]);
  });

  it('runs the sync of a new Connection with the same signing', async () => {
    const records = async () => {
      const reply = await fetch(`${mode.url}/records?model=Item`, {
        headers: { ...mode.withKey, 'Connection-Id': 'ann', 'Provider-Config-Key': 'emarsys' },
      });
      return ((await reply.json()) as { records: { id: string }[] }).records;
    };
    await waitFor(async () => (await records()).length === 1, 20_000, 'the sync to save the item');
    expect((await records())[0]).toMatchObject({ id: 'e-1', name: 'contact list' });
    expect(refusals).toEqual([]);
  }, 30_000);

  it('registers a Connection over RPC, checked the same way', async () => {
    await mode.harness.nango.registerConnection('emarsys', 'bob', { username: USER.name, password: USER.secret } as never);
    const result = await mode.harness.nango.triggerAction('emarsys', 'call', 'bob', { endpoint: '/api/v2/contact' });
    expect(result.returnValue).toMatchObject({ ok: true, status: 200 });
    expect(refusals).toEqual([]);
  });

  it('refuses a wrong secret at the verification request, and a missing one, storing nothing and quoting no secret', async () => {
    const wrong = await connect('connection_id=carol', { type: 'SIGNATURE', username: USER.name, password: 'not-the-secret' });
    expect(wrong.status).toBe(400);
    const body = (await wrong.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('connection_test_failed');
    expect(body.error.message).toContain('401');
    expect(refusals.splice(0)).toEqual(['bad digest']);
    const missing = await connect('connection_id=carol', { type: 'SIGNATURE', username: USER.name });
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain(
      'password (a non-empty string) is required',
    );
    expect((await connection('carol')).status).toBe(404);
    expect(JSON.stringify(body) + mode.harness.rawLogs.join('\n')).not.toContain('not-the-secret');
  });

  it("imports a Connection through POST /connections in Nango's SIGNATURE shape, tried at the verification request", async () => {
    const imported = (credentials: Record<string, unknown>) =>
      fetch(`${mode.url}/connections`, {
        method: 'POST',
        headers: { ...mode.withKey, 'content-type': 'application/json' },
        body: JSON.stringify({ provider_config_key: 'emarsys', connection_id: 'imported', credentials }),
      });
    const reply = await imported({ type: 'SIGNATURE', username: USER.name, password: USER.secret, token: 'old-wsse' });
    expect(reply.status).toBe(201);
    const { credentials } = (await (await connection('imported')).json()) as { credentials: Record<string, unknown> };
    expect(credentials).toMatchObject({ type: 'SIGNATURE', username: USER.name, password: USER.secret });
    expect(JSON.stringify(credentials)).not.toContain('old-wsse');
    const result = await mode.harness.nango.triggerAction('emarsys', 'call', 'imported', { endpoint: '/api/v2/contact' });
    expect(result.returnValue).toMatchObject({ ok: true, status: 200 });
    const malformed = await imported({ type: 'SIGNATURE', username: USER.name, passwd: USER.secret });
    expect(malformed.status).toBe(400);
    const message = ((await malformed.json()) as { error: { message: string } }).error.message;
    expect(message).toContain('body/credentials/passwd is not a field of SIGNATURE credentials');
    expect(message).toContain('body/credentials/password is required');
    expect(message).not.toContain(USER.secret);
    expect(refusals).toEqual([]);
  });

  it('has a local Emarsys that refuses a replayed header', async () => {
    const replayed = emarsys.requests.filter((request) => request.url === '/api/v2/contact').at(-1)?.headers['x-wsse'];
    const reply = await fetch(`${emarsys.url}/api/v2/contact`, { headers: { 'x-wsse': String(replayed) } });
    expect(reply.status).toBe(401);
    expect(refusals.splice(0)).toEqual(['nonce replayed']);
  });
});
