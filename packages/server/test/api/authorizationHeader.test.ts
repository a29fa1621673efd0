import { request as httpRequest } from 'node:http';
import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';

const KEY = 'sk-strict-0123456789';
const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;

/** A request with the Authorization header exactly as written (fetch would trim and check it). */
function rawGet(url: string, path: string, authorization: string): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, method: 'GET', path, headers: { authorization } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the Authorization header is parsed strictly', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi({
      secretKey: KEY,
      catalog: catalogOf({ name: 'github', auth_mode: 'OAUTH2', authorization_url: 'https://x.example/a' }),
    });
  });
  afterAll(() => api.stop());

  it.each([
    `Bearer ${KEY}`,
    `bearer ${KEY}`,
    `BEARER ${KEY}`,
    basic(`${KEY}:`),
    basic(`${KEY}:any password`),
    `basic ${Buffer.from(`${KEY}:`).toString('base64')}`,
  ])('accepts %j', async (authorization) => {
    expect((await rawGet(api.url, '/connection', authorization)).status).toBe(200);
  });

  it.each([
    [`Bearer ${KEY} junk`],
    [`Bearer ${KEY} ${KEY}`],
    [`Bearer  ${KEY}`],
    [`Bearer\t${KEY}`],
    [`Bearer ${KEY},Bearer ${KEY}`],
    [`Bearer`],
    [`Bearer=${KEY}`],
    [`Token ${KEY}`],
    [KEY],
    [`${basic(`${KEY}:`)} junk`],
    [basic(KEY)],
    [`Basic ${Buffer.from(`${KEY}:`).toString('base64')}!!`],
    [basic(`${KEY}:pw`).replace(/=+$/, '')],
    [`Basic ${Buffer.from(`${KEY}:`).toString('base64url')}-_`],
  ])('refuses %j with a 401 that says it is malformed, never showing the key', async (authorization) => {
    const reply = await rawGet(api.url, '/connection', authorization);
    expect(reply.status).toBe(401);
    const body = JSON.parse(reply.text) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('unauthorized');
    expect(body.error.message).toMatch(/Authorization header is malformed/);
    expect(reply.text).not.toContain(KEY);
    expect(reply.text).not.toContain(Buffer.from(`${KEY}:`).toString('base64').slice(0, 12));
  });

  it('tells a wrong key from a malformed header, and a missing one from both', async () => {
    const wrong = JSON.parse((await rawGet(api.url, '/connection', 'Bearer not-the-key')).text);
    expect(wrong.error.message).not.toMatch(/malformed/);
    expect(wrong.error.message).toMatch(/secret key/);
    const missing = await api.call('/connection');
    expect(missing.status).toBe(401);
    expect(missing.body.error.message).toMatch(/requires its secret key/);
  });

  it('refuses a connect session token with trailing words on the session routes', async () => {
    const created = await api.call('/connect/sessions', {
      method: 'POST',
      key: KEY,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ end_user: { id: 'u-1' } }),
    });
    expect(created.status).toBe(201);
    const token = created.body.data.token as string;
    expect((await rawGet(api.url, '/connect/session', `Bearer ${token}`)).status).toBe(200);
    const junk = await rawGet(api.url, '/connect/session', `Bearer ${token} junk`);
    expect(junk.status).toBe(401);
    expect(junk.text).not.toContain(token);
    expect(JSON.parse(junk.text).error.message).toMatch(/malformed/);
  });

  it('never logs the key or a token', () => {
    const logs = api.rawLogs.join('\n');
    expect(logs).not.toContain(KEY);
    expect(logs).not.toContain('nango_connect_session_');
  });
});
