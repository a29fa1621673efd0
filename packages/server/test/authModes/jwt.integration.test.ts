import { createHash, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import type { Provider } from '../../src/providers/Provider';
import { readNangoCatalog } from '../catalog/nangoCatalog';
import { catalogOf } from '../helpers/apiHarness';
import { startHarness, waitFor, type Harness } from '../helpers/harness';
import { LocalApi, type LocalAnswer, type LocalRequest } from './localApi';
import { ITEMS_SYNC_YAML } from './modeHarness';

const SECRET = 'jwt-test-secret-key';
const FIXTURES = join(__dirname, '..', 'fixtures', 'authModes');
const nango = readNangoCatalog();

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const RSA_PEM = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
/** The same key as users paste it from a JSON file: PKCS#1, its line breaks escaped. */
const RSA_PKCS1_ESCAPED = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString().replace(/\n/g, '\\n');
const EC_PEM = ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const GHOST = { id: '0123456789abcdef01234567', secret: randomBytes(32).toString('hex') };
const FINGERPRINT = `SHA256:${createHash('sha256')
  .update(createPublicKey(rsa.privateKey).export({ type: 'spki', format: 'der' }))
  .digest('base64')}`;

/** A Nango catalog entry as published, its API moved to the local one. */
function entry(name: string, localName: string, baseUrl: string, over: Record<string, unknown> = {}): Provider {
  const raw = nango[name] as Record<string, unknown> & { proxy: Record<string, unknown> };
  return { ...raw, name: localName, proxy: { ...raw.proxy, base_url: baseUrl }, ...over } as unknown as Provider;
}

/** The bearer JWT of a request (`Bearer x` or Ghost's `Ghost x`). */
function tokenOf(request: LocalRequest): string | undefined {
  return /^(?:Bearer|Ghost) (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
}

/**
 * JWT end to end, with three of Nango's catalog entries as published (Snowflake RS256 with its key fingerprint, App
 * Store Connect ES256, Ghost HS256 with its `id:secret` key): Connections made through POST /auth/jwt and RabbitMQ,
 * each token checked by a local API with the public key (or the shared secret) as the real one would, used by an
 * action, the proxy and a sync and refetched before it expires; bad keys refused with nothing stored.
 */
describe('JWT (signed from the user key with the catalog templates)', () => {
  const tokens: JWTPayload[] = [];
  let api: LocalApi;
  let dir: string;
  let h: Harness;
  let url: string;

  beforeAll(async () => {
    api = await new LocalApi(async (request, self): Promise<LocalAnswer> => {
      const token = tokenOf(request);
      if (!token) return self.refuse('no token');
      const [, product] = request.url.pathname.split('/');
      try {
        if (product === 'snowflake') {
          const { payload } = await jwtVerify(token, createPublicKey(rsa.privateKey), { algorithms: ['RS256'] });
          if (payload.iss !== `ACME-1.BOT.${FINGERPRINT}` || payload.sub !== 'ACME-1.BOT') return self.refuse('snowflake claims');
          if (request.headers['x-snowflake-authorization-token-type'] !== 'KEYPAIR_JWT') return self.refuse('token type header');
          tokens.push(payload);
        } else if (product === 'apple') {
          const { payload, protectedHeader } = await jwtVerify(token, ec.publicKey, {
            algorithms: ['ES256'],
            audience: 'appstoreconnect-v1',
          });
          if (protectedHeader.kid !== 'KEY1' || payload.iss !== 'issuer-9') return self.refuse('apple claims');
          tokens.push(payload);
        } else if (product === 'ghost') {
          if (!String(request.headers.authorization).startsWith('Ghost ')) return self.refuse('ghost scheme');
          const { payload, protectedHeader } = await jwtVerify(token, Buffer.from(GHOST.secret, 'hex'), { audience: '/admin/' });
          if (protectedHeader.kid !== GHOST.id) return self.refuse('ghost kid');
          tokens.push(payload);
        } else return self.refuse(`no product ${product}`);
      } catch (error) {
        return self.refuse(`${product}: ${(error as Error).message}`);
      }
      if (request.url.pathname === `/${product}/items`) return { status: 200, body: { items: [{ id: 'j-1', name: product }] } };
      return { status: 200, body: { path: request.url.pathname + request.url.search } };
    }).start();
    dir = mkdtempSync(join(tmpdir(), 'nango-jwt-'));
    for (const name of ['snowflake', 'apple', 'ghost', 'quick', 'snowsync']) {
      mkdirSync(join(dir, name));
      cpSync(join(FIXTURES, 'call.action.ts'), join(dir, name, 'call.action.ts'));
    }
    cpSync(join(FIXTURES, 'items.sync.ts'), join(dir, 'snowsync', 'items.sync.ts'));
    const snowflake = entry('snowflake-jwt', 'snowflake-local', `${api.url}/snowflake`);
    const quickToken = { ...(nango['snowflake-jwt'] as { token: Record<string, unknown> }).token, expires_in_ms: 5_000 };
    const catalog = catalogOf(
      snowflake,
      entry('snowflake-jwt', 'snowflake-quick', `${api.url}/snowflake`, { token: quickToken }),
      entry('apple-app-store', 'apple-local', `${api.url}/apple`),
      entry('ghost-admin', 'ghost-local', `${api.url}/ghost`),
    );
    h = await startHarness({
      yaml: `
integrations:
  snowflake: { provider: snowflake-local }
  quick: { provider: snowflake-quick }
  apple: { provider: apple-local }
  ghost: { provider: ghost-local }
  # Its own integration, so that its sync's calls do not come between the other tests' calls and their checks.
  snowsync:
    provider: snowflake-local
${ITEMS_SYNC_YAML}`,
      integrationsDir: dir,
      catalog,
      port: 0,
      secretKey: SECRET,
      syncTickMs: 100,
    });
    url = h.worker.httpUrl as string;
  }, 30_000);

  afterAll(async () => {
    await h?.stop();
    await api?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const withKey = { authorization: `Bearer ${SECRET}` };
  const connect = (key: string, query: string, body: unknown) =>
    fetch(`${url}/auth/jwt/${key}?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const credentials = async (key: string, id: string) => {
    const reply = await fetch(`${url}/connection/${id}?provider_config_key=${key}`, { headers: withKey });
    return { status: reply.status, body: ((await reply.json()) as { credentials: Record<string, unknown> }).credentials };
  };
  const snowflakeUser = { type: 'JWT', privateKey: RSA_PEM, accountIdentifier: 'ACME-1', userName: 'BOT' };

  it('signs an RS256 JWT with the Snowflake key fingerprint, which the verification request and an action carry', async () => {
    const reply = await connect('snowflake', 'connection_id=ann&params%5Bsubdomain%5D=acme', snowflakeUser);
    expect(await reply.json()).toEqual({ connectionId: 'ann', providerConfigKey: 'snowflake' });
    expect(reply.status).toBe(200);
    // The catalog's verification request: POST /api/v2/statements, with its own header.
    expect(api.requests.at(-1)?.method).toBe('POST');
    expect(api.requests.at(-1)?.url.pathname).toBe('/snowflake/api/v2/statements');
    const stored = (await credentials('snowflake', 'ann')).body;
    expect(stored).toMatchObject({ type: 'JWT', accountIdentifier: 'ACME-1', userName: 'BOT', token: expect.any(String) });
    const claims = decodeJwt(String(stored['token']));
    expect(Date.parse(String(stored['expires_at']))).toBe(Number(claims.exp) * 1000);
    expect(Number(claims.exp) - Number(claims.iat)).toBe(3600);
    expect(decodeProtectedHeader(String(stored['token']))).toEqual({ alg: 'RS256', typ: 'JWT' });
    const result = await h.nango.triggerAction('snowflake', 'call', 'ann', { endpoint: '/api/v2/statements/1' });
    expect(result.returnValue).toMatchObject({ ok: true, status: 200, body: { path: '/snowflake/api/v2/statements/1' } });
    expect(tokenOf(api.requests.at(-1) as LocalRequest)).toBe(stored['token']);
    expect(api.refusals).toEqual([]);
  });

  it("imports a Connection through POST /connections in Nango's JWT shape, signing its own token", async () => {
    const imported = (id: string, given: Record<string, unknown>) =>
      fetch(`${url}/connections`, {
        method: 'POST',
        headers: { ...withKey, 'content-type': 'application/json' },
        body: JSON.stringify({
          provider_config_key: 'snowflake',
          connection_id: id,
          connection_config: { subdomain: 'acme' },
          credentials: given,
        }),
      });
    const reply = await imported('imported', { ...snowflakeUser, token: 'token-from-elsewhere' });
    expect(reply.status).toBe(201);
    const stored = (await credentials('snowflake', 'imported')).body;
    expect(stored).toMatchObject({ type: 'JWT', accountIdentifier: 'ACME-1', userName: 'BOT' });
    expect(decodeProtectedHeader(String(stored['token']))).toEqual({ alg: 'RS256', typ: 'JWT' });
    const malformed = await imported('bad', { ...snowflakeUser, userName: { name: 'BOT' } });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { message: string } }).error.message).toContain(
      'body/credentials: Credentials for snowflake (JWT): userName must be a string',
    );
    expect((await credentials('snowflake', 'bad')).status).toBe(404);
    expect(api.refusals).toEqual([]);
  });

  it('reads a PKCS#1 key pasted with escaped line breaks', async () => {
    const reply = await connect('snowflake', 'connection_id=bea&params%5Bsubdomain%5D=acme', {
      ...snowflakeUser,
      privateKey: RSA_PKCS1_ESCAPED,
    });
    expect(reply.status).toBe(200);
    expect(api.refusals).toEqual([]);
  });

  it('signs App Store Connect ES256 JWTs with the key id, for a Connection registered over RabbitMQ, used by the proxy', async () => {
    await h.nango.registerConnection('apple', 'cal', { privateKey: EC_PEM, privateKeyId: 'KEY1', issuerId: 'issuer-9' }, {});
    const reply = await fetch(`${url}/proxy/v1/apps?limit=1`, {
      headers: { ...withKey, 'Connection-Id': 'cal', 'Provider-Config-Key': 'apple' },
    });
    expect(reply.status).toBe(200);
    expect(await reply.json()).toEqual({ path: '/apple/v1/apps?limit=1' });
    // The optional `scope` config was not given: the claim is left out, not sent as an empty value.
    expect(tokens.at(-1)).not.toHaveProperty('scope');
    expect(api.refusals).toEqual([]);
  });

  it("signs Ghost's HS256 JWT from its id:secret Admin API key, sent as its proxy header says (Ghost <token>)", async () => {
    const reply = await connect('ghost', 'connection_id=dan&params%5BadminDomain%5D=blog.example.com&params%5Bversion%5D=v5.0', {
      privateKey: `${GHOST.id}:${GHOST.secret}`,
    });
    expect(reply.status).toBe(200);
    expect(api.requests.at(-1)?.url.pathname).toBe('/ghost/users');
    expect(api.requests.at(-1)?.headers['accept-version']).toBe('v5.0');
    expect(Number(tokens.at(-1)?.exp) - Number(tokens.at(-1)?.iat)).toBe(300);
    expect(api.refusals).toEqual([]);
  });

  it('signs a new JWT before the old one expires, and not at every call while it is fresh', async () => {
    // 5-second tokens: the refresh margin is a fifth of their life, so a fresh one is used as it is.
    expect((await connect('quick', 'connection_id=eve&params%5Bsubdomain%5D=acme', snowflakeUser)).status).toBe(200);
    const first = String((await credentials('quick', 'eve')).body['token']);
    await h.nango.triggerAction('quick', 'call', 'eve', { endpoint: '/x' });
    expect(tokenOf(api.requests.at(-1) as LocalRequest)).toBe(first);
    await new Promise((resolve) => setTimeout(resolve, 4_300));
    await h.nango.triggerAction('quick', 'call', 'eve', { endpoint: '/x' });
    const second = String((await credentials('quick', 'eve')).body['token']);
    expect(second).not.toBe(first);
    expect(tokenOf(api.requests.at(-1) as LocalRequest)).toBe(second);
    expect(Number(decodeJwt(second).exp)).toBeGreaterThan(Number(decodeJwt(first).exp));
    expect(api.refusals).toEqual([]);
  }, 20_000);

  it('refuses a key that cannot sign, a missing key and a key the API does not know, storing nothing and logging no key', async () => {
    const requests = api.requests.length;
    const bad = await connect('snowflake', 'connection_id=fay&params%5Bsubdomain%5D=acme', {
      ...snowflakeUser,
      privateKey: 'not a key',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: unknown }).error).toEqual({
      code: 'invalid_credentials',
      message: expect.stringContaining('the signing key is not a PEM private key'),
    });
    const missing = await connect('snowflake', 'connection_id=fay&params%5Bsubdomain%5D=acme', {
      accountIdentifier: 'A',
      userName: 'B',
    });
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain('${credentials.privateKey}');
    expect(api.requests.length).toBe(requests); // nothing reached the API
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const unknown = await connect('snowflake', 'connection_id=fay&params%5Bsubdomain%5D=acme', {
      ...snowflakeUser,
      privateKey: other,
    });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('connection_test_failed');
    api.refusals.length = 0;
    expect((await credentials('snowflake', 'fay')).status).toBe(404);
    const logs = h.rawLogs.join('\n');
    for (const secret of [RSA_PEM.split('\n')[1], GHOST.secret, other.split('\n')[1]]) expect(logs).not.toContain(secret);
  }, 20_000);

  it('runs the sync of a new Connection with its signed token', async () => {
    expect((await connect('snowsync', 'connection_id=gus&params%5Bsubdomain%5D=acme', snowflakeUser)).status).toBe(200);
    const records = async () => {
      const reply = await fetch(`${url}/records?model=Item`, {
        headers: { ...withKey, 'Connection-Id': 'gus', 'Provider-Config-Key': 'snowsync' },
      });
      return ((await reply.json()) as { records: { id: string }[] }).records;
    };
    await waitFor(async () => (await records()).length === 1, 20_000, 'the sync to save the item');
    expect((await records())[0]).toMatchObject({ id: 'j-1', name: 'snowflake' });
    const read = api.requests.find((request) => request.url.pathname === '/snowflake/items');
    expect(tokenOf(read as LocalRequest)).toBe((await credentials('snowsync', 'gus')).body['token']);
    expect(api.refusals).toEqual([]);
  }, 30_000);
});
