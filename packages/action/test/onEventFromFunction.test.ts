import type { NangoConnection } from '@nangohq/protocol';
import { ACTION_CONTEXT, type ActionContext } from '../src/context';
import type { FunctionRuntime } from '../src/functionRuntime';
import { onEventFromFunction } from '../src/onEventFromFunction';

const connection: NangoConnection = {
  uuid: 'uuid-1',
  integration: 'echo',
  userId: 'ann',
  dateCreated: '2026-01-01T00:00:00.000Z',
  lastModified: '2026-01-02T00:00:00.000Z',
  additionalConfig: { team: 'blue' },
  authorization: 'ok',
  credentials: { api_key: 'k', raw: {} },
};

/** Runs `exec` as a deployed on-event function, recording its requests and host calls. */
async function run(exec: (nango: FunctionRuntime) => unknown) {
  const seen = { requests: [] as unknown[][], calls: [] as unknown[][] };
  const context: ActionContext = {
    connection,
    signal: new AbortController().signal,
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    httpRequest: (...args: unknown[]) => {
      seen.requests.push(args);
      const body = { id: 'acct-7' };
      return Promise.resolve({ ok: true, status: 200, statusText: 'OK', headers: {}, body, data: '', json: body });
    },
    call: (...args: unknown[]) => {
      seen.calls.push(args);
      return Promise.resolve(undefined);
    },
  };
  const { default: OnEvent } = onEventFromFunction(
    { default: { type: 'onEvent', event: 'post-connection-creation', exec } },
    'echo.setup',
  );
  const handler = new OnEvent();
  handler[ACTION_CONTEXT] = context;
  return { result: await handler.executeAction(undefined).catch((error: unknown) => error), seen };
}

describe('a deployed on-event function run through onEventFromFunction', () => {
  it('gets the functions runtime (requests, metadata) and its run resolves to null whatever exec returns', async () => {
    const { result, seen } = await run(async (nango) => {
      const res = await nango.get({ endpoint: '/me' });
      await nango.updateMetadata({ account: (res.data as { id: string }).id, user: nango.connectionId });
      return 'ignored';
    });
    expect(result).toBeNull();
    expect(seen.requests).toEqual([['/me', 'GET', undefined, undefined, undefined]]);
    expect(seen.calls).toEqual([['updateMetadata', { metadata: { account: 'acct-7', user: 'ann' } }]]);
  });

  it('fails the run with what exec threw', async () => {
    const { result } = await run(() => {
      throw new Error('setup exploded');
    });
    expect(result).toEqual(new Error('setup exploded'));
  });

  it('refuses a bundle that is not an on-event function, naming it', () => {
    expect(() => onEventFromFunction({ default: {} }, 'echo.bad')).toThrow(
      "echo.bad: the deployed bundle's default export is not a function made by createOnEvent (no exec)",
    );
    expect(() => onEventFromFunction({ default: { type: 'action', exec: () => null } }, 'echo.act')).toThrow(
      "echo.act: the deployed bundle's default export is of type 'action', not an on-event function",
    );
  });
});
