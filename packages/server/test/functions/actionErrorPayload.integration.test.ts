import { NangoError } from '@nangohq/node-client';
import type { Harness } from '../helpers/harness';
import { startModeHarness, type ModeHarness } from '../authModes/modeHarness';

// The official SDK 0.71.4, as apps use it: a failed triggerAction rejects with axios's error, the reply in `response`.
const { Nango } = require('nango-node-0714') as {
  Nango: new (options: { host: string; secretKey: string }) => {
    triggerAction<T>(providerConfigKey: string, connectionId: string, actionName: string, input?: unknown): Promise<T>;
  };
};

const SECRET = 'action-error-payload-secret';

/** A deployed action's bundle, as `createAction` leaves it: `exec` throws what `body` says. */
const bundle = (body: string) => `module.exports = { default: { type: 'action', exec: async (nango, input) => { ${body} } } };`;

const ACTIONS: Record<string, string> = {
  // Nango's way: the runtime's `nango.ActionError` with the function's own data.
  refuse: "throw new nango.ActionError({ message: 'Not enough stock', code: 'out_of_stock', left: input.left });",
  // The official `nango` package's ActionError, bundled into the function: its own class, the same marks.
  bundled: `class ActionError extends Error {
      constructor(payload) { super(payload.message); this.type = 'action_script_runtime_error'; this.payload = payload; }
    }
    throw new ActionError({ message: 'Bundled refusal', items: [1, 2] });`,
  plain: "throw new Error('plain failure');",
  unserialisable: "throw new nango.ActionError({ message: 'Has a BigInt', big: 10n });",
};

/**
 * An `ActionError` a deployed function throws carries its payload to the caller: through the sandbox, the worker's
 * reply, our node client's NangoError and the HTTP API's error reply (Nango's `action_script_runtime_error` shape,
 * which the official @nangohq/node hands over as is). Other errors stay `action_failed` with no payload.
 */
describe('ActionError payloads reach the caller', () => {
  let mode: ModeHarness;
  let h: Harness;
  let url: string;
  const withKey = { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' };

  beforeAll(async () => {
    mode = await startModeHarness({
      yaml: `
integrations:
  shop:
    auth_mode: API_KEY
    base_url: http://127.0.0.1:9
    headers:
      Authorization: Bearer \${api_key}
`,
      withScripts: [],
      secretKey: SECRET,
    });
    ({ harness: h, url } = mode);
    await h.nango.registerConnection('shop', 'ann', { api_key: 'shop-key-1234' });
    const flowConfigs = Object.entries(ACTIONS).map(([name, body]) => ({
      syncName: name,
      providerConfigKey: 'shop',
      type: 'action',
      models: [],
      fileBody: { js: bundle(body) },
    }));
    const deployed = await fetch(`${url}/sync/deploy`, {
      method: 'POST',
      headers: withKey,
      body: JSON.stringify({ flowConfigs, reconcile: true }),
    });
    expect(deployed.status).toBe(200);
  }, 30_000);

  afterAll(async () => {
    await mode?.stop();
  });

  const failureOf = async (promise: Promise<unknown>): Promise<unknown> => {
    try {
      await promise;
    } catch (error) {
      return error;
    }
    throw new Error('the call succeeded');
  };

  it('gives our node client the payload on its NangoError', async () => {
    const error = await failureOf(h.nango.triggerAction('shop', 'refuse', 'ann', { left: 2 }));
    expect(error).toBeInstanceOf(NangoError);
    expect(error).toMatchObject({ code: 'action_failed', errorMsg: 'Not enough stock' });
    expect((error as NangoError).payload).toEqual({ message: 'Not enough stock', code: 'out_of_stock', left: 2 });

    const bundled = (await failureOf(h.nango.triggerAction('shop', 'bundled', 'ann', {}))) as NangoError;
    expect(bundled.payload).toEqual({ message: 'Bundled refusal', items: [1, 2] });

    const plain = (await failureOf(h.nango.triggerAction('shop', 'plain', 'ann', {}))) as NangoError;
    expect(plain).toMatchObject({ code: 'action_failed', errorMsg: 'plain failure' });
    expect('payload' in plain).toBe(false);

    const odd = (await failureOf(h.nango.triggerAction('shop', 'unserialisable', 'ann', {}))) as NangoError;
    expect(odd.payload).toMatchObject({ message: 'Has a BigInt', payloadError: expect.stringContaining('not JSON') });
  });

  it("answers POST /action/trigger in Nango's shape, read through the official @nangohq/node", async () => {
    const error = (await failureOf(
      new Nango({ host: url, secretKey: SECRET }).triggerAction('shop', 'ann', 'refuse', { left: 0 }),
    )) as { response?: { status: number; data: unknown } };
    expect(error.response?.status).toBe(500);
    expect(error.response?.data).toEqual({
      error: {
        code: 'action_script_runtime_error',
        message: 'The action script failed with a runtime error',
        payload: { message: 'Not enough stock', code: 'out_of_stock', left: 0 },
      },
    });

    const plain = await fetch(`${url}/action/trigger`, {
      method: 'POST',
      headers: { ...withKey, 'connection-id': 'ann', 'provider-config-key': 'shop' },
      body: JSON.stringify({ action_name: 'plain', input: {} }),
    });
    expect(plain.status).toBe(500);
    expect(await plain.json()).toEqual({ error: { code: 'action_failed', message: 'plain failure' } });
  });
});
