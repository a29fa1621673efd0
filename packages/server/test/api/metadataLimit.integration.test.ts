import { NangoError } from '@nangohq/node-client';
import { startHarness, type Harness } from '../helpers/harness';

/** The limit of these tests: small, so that the payloads stay small too. */
const LIMIT = 1024;
const YAML = `integrations:
  keyed:
    auth_mode: API_KEY
    base_url: http://127.0.0.1:9
    headers:
      x-api-key: \${api_key}
`;
const json = { 'content-type': 'application/json' };

/** An object whose JSON is exactly `bytes` long: `{"blob":"xxx…"}`. */
function ofSize(bytes: number): Record<string, unknown> {
  return { blob: 'x'.repeat(bytes - '{"blob":""}'.length) };
}

/**
 * NANGO_MAX_METADATA_BYTES at every door of a running worker (HTTP API and RabbitMQ): over the limit, a 400
 * `metadata_too_large` (or the client's NangoError with that code) naming the field, the size and the limit, and
 * nothing stored, not even the other fields of the same request.
 */
describe('the metadata size limit at every door (real broker, SQLite file)', () => {
  let h: Harness;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- replies are checked by shape in each test
  const call = async (path: string, init: RequestInit = {}): Promise<{ status: number; body: any }> => {
    const response = await fetch(`${h.worker.httpUrl ?? ''}${path}`, { ...init, headers: { ...json, ...init.headers } });
    return { status: response.status, body: await response.json() };
  };
  const metadataOf = async (userId: string) => (await call(`/connections/${userId}?provider_config_key=keyed`)).body.metadata;
  const refusal = (where: string, bytes: number) => ({
    error: {
      code: 'metadata_too_large',
      message: expect.stringContaining(
        `${where} is ${bytes} bytes as JSON, over the limit of ${LIMIT} bytes (NANGO_MAX_METADATA_BYTES)`,
      ),
    },
  });

  beforeEach(async () => {
    h = await startHarness({ yaml: YAML, maxMetadataBytes: LIMIT });
    await h.nango.registerConnection('keyed', 'alice', { api_key: 'k-a' }, { plan: 'free' });
    await h.nango.registerConnection('keyed', 'bob', { api_key: 'k-b' }, ofSize(LIMIT - 20));
  });
  afterEach(async () => {
    await h.stop();
  });

  it('POST /connections/metadata: refused over the limit, and no Connection changed', async () => {
    const body = { connection_id: ['alice', 'bob'], provider_config_key: 'keyed', metadata: ofSize(LIMIT + 1) };
    const reply = await call('/connections/metadata', { method: 'POST', body: JSON.stringify(body) });
    expect(reply).toEqual({ status: 400, body: refusal('metadata', LIMIT + 1) });
    expect(await metadataOf('alice')).toEqual({ plan: 'free' });
    const atLimit = { ...body, metadata: ofSize(LIMIT) };
    expect((await call('/connections/metadata', { method: 'POST', body: JSON.stringify(atLimit) })).status).toBe(201);
    expect(await metadataOf('bob')).toEqual(ofSize(LIMIT));
  });

  it('PATCH /connections/metadata: refused when the merge passes the limit on one Connection, and none changed', async () => {
    const body = { connection_id: ['alice', 'bob'], provider_config_key: 'keyed', metadata: { more: 'y'.repeat(40) } };
    const reply = await call('/connections/metadata', { method: 'PATCH', body: JSON.stringify(body) });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe('metadata_too_large');
    expect(reply.body.error.message).toMatch(/^the metadata of user 'bob' on integration 'keyed' once merged is \d+ bytes/);
    expect(await metadataOf('alice')).toEqual({ plan: 'free' });
    expect(await metadataOf('bob')).toEqual(ofSize(LIMIT - 20));
  });

  it('PATCH /connections/:id: refused metadata leaves its tags unchanged too', async () => {
    const body = { tags: { team: 'new' }, metadata: ofSize(LIMIT + 5) };
    const reply = await call('/connections/alice?provider_config_key=keyed', { method: 'PATCH', body: JSON.stringify(body) });
    expect(reply).toEqual({ status: 400, body: refusal('metadata', LIMIT + 5) });
    const alice = (await call('/connections/alice?provider_config_key=keyed')).body;
    expect(alice.tags).toEqual({});
    expect(alice.metadata).toEqual({ plan: 'free' });
  });

  it('POST /connections (import): refused with its metadata and config over the limit, and nothing imported', async () => {
    const body = {
      provider_config_key: 'keyed',
      connection_id: 'carol',
      credentials: { type: 'API_KEY', apiKey: 'k-c' },
      metadata: ofSize(LIMIT),
      connection_config: { region: 'eu' },
    };
    const reply = await call('/connections', { method: 'POST', body: JSON.stringify(body) });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe('metadata_too_large');
    expect(reply.body.error.message).toMatch(/^body\/metadata with body\/connection_config is \d+ bytes as JSON/);
    expect((await call('/connections/carol?provider_config_key=keyed')).status).toBe(404);
  });

  it('POST /connect/sessions: refuses a connection_config over the limit, naming where it is', async () => {
    const body = { end_user: { id: 'eu-1' }, integrations_config_defaults: { keyed: { connection_config: ofSize(LIMIT + 1) } } };
    const reply = await call('/connect/sessions', { method: 'POST', body: JSON.stringify(body) });
    expect(reply).toEqual({ status: 400, body: refusal('body/integrations_config_defaults/keyed/connection_config', LIMIT + 1) });
  });

  it('over RabbitMQ: setMetadata, updateMetadata, updateConnectionConfig and registerConnection reject with the code', async () => {
    const { nango } = h;
    const tooLarge = expect.objectContaining({
      code: 'metadata_too_large',
      message: expect.stringContaining(`over the limit of ${LIMIT}`),
    });
    await expect(nango.setMetadata('keyed', ['alice', 'bob'], ofSize(LIMIT + 1))).rejects.toEqual(tooLarge);
    await expect(nango.updateMetadata('keyed', 'bob', { more: 'y'.repeat(40) })).rejects.toEqual(tooLarge);
    await expect(nango.updateConnectionConfig('keyed', 'alice', ofSize(LIMIT + 1))).rejects.toEqual(tooLarge);
    await expect(nango.registerConnection('keyed', 'dave', { api_key: 'k-d' }, ofSize(LIMIT + 1))).rejects.toBeInstanceOf(
      NangoError,
    );
    await expect(nango.getMetadata('keyed', 'alice')).resolves.toEqual({ success: true, returnValue: { plan: 'free' } });
    await expect(nango.getMetadata('keyed', 'bob')).resolves.toEqual({ success: true, returnValue: ofSize(LIMIT - 20) });
    await expect(nango.getMetadata('keyed', 'dave')).rejects.toMatchObject({ code: 'connection_not_found' });
  });
});
