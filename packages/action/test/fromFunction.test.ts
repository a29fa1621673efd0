import * as z from 'zod';
import type { NangoConnection } from '@nangohq/protocol';
import { ACTION_CONTEXT, type ActionContext } from '../src/context';
import { actionFromFunction } from '../src/fromFunction';
import { NangoAction } from '../src/NangoAction';
import type { FunctionRuntime } from '../src/functionRuntime';
import type { HttpResponse } from '../src/http';

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

/** A run's context as the sandbox gives it, recording the requests, log lines and host calls it gets. */
function fakeContext(status = 200) {
  const seen = { requests: [] as unknown[][], logs: [] as string[][], calls: [] as unknown[][] };
  const context: ActionContext = {
    connection,
    signal: new AbortController().signal,
    logger: {
      debug: (m: string) => seen.logs.push(['debug', m]),
      info: (m: string) => seen.logs.push(['info', m]),
      warn: (m: string) => seen.logs.push(['warn', m]),
      error: (m: string) => seen.logs.push(['error', m]),
    },
    httpRequest: (...args: unknown[]) => {
      seen.requests.push(args);
      const response: HttpResponse = {
        ok: status < 300,
        status,
        statusText: 'x',
        headers: {},
        body: { n: 1 },
        data: '{"n":1}',
        json: { n: 1 },
      };
      return Promise.resolve(response);
    },
    call: (...args: unknown[]) => {
      seen.calls.push(args);
      return Promise.resolve(undefined);
    },
  };
  return { context, seen };
}

/** Runs `exec` as a deployed function with zod `input` and `output` schemas. */
async function run(exec: (nango: FunctionRuntime, input: unknown) => unknown, input: unknown, status?: number) {
  const definition = { type: 'action', input: z.object({ n: z.coerce.number() }), output: z.unknown(), exec };
  const { default: Action } = actionFromFunction({ default: definition }, 'echo.test');
  const action = new Action();
  const { context, seen } = fakeContext(status);
  action[ACTION_CONTEXT] = context;
  return { result: await action.executeAction(input).catch((error: unknown) => error), seen };
}

describe('a deployed function run through actionFromFunction', () => {
  it('parses its input with zod and offers the HTTP helpers, log, getConnection and metadata', async () => {
    const { result, seen } = await run(
      async (nango, input) => {
        const res = await nango.post({ endpoint: '/x', params: 'a=1&b=2', data: { input }, headers: { h: 'v' } });
        await nango.log('hello', { a: 1 }, { level: 'warn' });
        await nango.updateMetadata({ seen: true });
        return { res, connection: await nango.getConnection(), metadata: await nango.getMetadata(), id: nango.connectionId };
      },
      { n: '4' },
    );
    expect(seen.requests).toEqual([['/x', 'POST', { a: '1', b: '2' }, { input: { n: 4 } }, { h: 'v' }]]);
    expect(seen.logs).toEqual([['warn', 'hello {"a":1}']]);
    expect(seen.calls).toEqual([['updateMetadata', { metadata: { seen: true } }]]);
    expect(result).toEqual({
      res: { data: { n: 1 }, status: 200, statusText: 'x', headers: {} },
      connection: expect.objectContaining({ connection_id: 'ann', provider_config_key: 'echo', metadata: { team: 'blue' } }),
      metadata: { team: 'blue' },
      id: 'ann',
    });
  });

  it('throws on a status outside 2xx, with the response, as axios does', async () => {
    const { result } = await run((nango) => nango.get({ endpoint: '/missing' }), { n: 1 }, 404);
    expect(result).toMatchObject({ message: 'Request failed with status code 404', response: { status: 404, data: { n: 1 } } });
  });

  it('refuses an input its schema refuses, naming the function', async () => {
    const { result } = await run(() => 'never', { n: 'not a number' });
    expect(String(result)).toBe('Error: echo.test: invalid input: n: Invalid input: expected number, received NaN');
  });

  it('refuses an output its schema refuses, naming the function and each field on one line', async () => {
    const output = z.object({ id: z.string(), items: z.array(z.object({ n: z.number() })) });
    const definition = { type: 'action', output, exec: () => ({ id: 1, items: [{ n: 'x' }] }) };
    const { default: Action } = actionFromFunction({ default: definition }, 'echo.out');
    const action = new Action();
    action[ACTION_CONTEXT] = fakeContext().context;
    await expect(action.executeAction({})).rejects.toThrow(
      'echo.out: its output does not match its output schema: id: Invalid input: expected string, received number; ' +
        'items.0.n: Invalid input: expected number, received string',
    );
  });

  it('refuses a bundle without createAction', () => {
    expect(() => actionFromFunction({ default: {} }, 'echo.empty')).toThrow('echo.empty: the deployed bundle');
  });

  it('passes through the one NangoAction class a bundle of our format exports (deployed by our CLI)', () => {
    class Own extends NangoAction {
      override async executeAction() {
        return 'own';
      }
    }
    expect(actionFromFunction({ default: Own }, 'echo.own').default).toBe(Own);
    expect(actionFromFunction({ Own }, 'echo.own').default).toBe(Own);
    // Two classes: which to run is not for the worker to guess.
    class Other extends Own {}
    expect(() => actionFromFunction({ Own, Other }, 'echo.two')).toThrow('echo.two: the deployed bundle');
  });

  it("runs a bundle of Nango's older format: a default-exported runAction(nango, input)", async () => {
    async function runAction(nango: FunctionRuntime, input: { word: string }) {
      const res = await nango.get({ endpoint: '/echo' });
      return { word: input.word, upstream: res.data, connection: nango.connectionId };
    }
    const { default: Action } = actionFromFunction({ default: runAction }, 'echo.legacy');
    const action = new Action();
    action[ACTION_CONTEXT] = fakeContext().context;
    expect(await action.executeAction({ word: 'hi' })).toEqual({ word: 'hi', upstream: { n: 1 }, connection: 'ann' });
  });
});
