import { createLogger, Worker } from '@nangohq/server';
import type { NangoError } from '@nangohq/node-client';
import { reportFigures } from '../faults/faultHarness';
import { startHarness, waitFor, type Harness, type LogLine } from '../helpers/harness';

const LIMIT_MS = 1_000;

// Each test waits out misbehaving runs; a busy 2-core machine needs room.
jest.setTimeout(60_000);

const YAML = `
integrations:
  misbehaving:
    auth_mode: API_KEY
    base_url: https://misbehaving.example.test
    headers:
      X-Key: \${api_key}
    action_timeout_ms: ${LIMIT_MS}
    action_memory_mb: 64
    actions:
      syncLoop:
      asyncLoop:
      allocates:
        timeout_ms: 20000
      neverResolves:
      exits:
      throwsFromTimer:
      leavesTimer:
      sleeps:
        timeout_ms: 2500
      probes:
  demo:
    auth_mode: API_KEY
    base_url: https://demo.example.test
    query_params:
      key: \${api_key}
    actions:
      withHelper:
`;

/** The error a call that must fail rejects with. */
function failure(call: Promise<unknown>): Promise<NangoError> {
  return call.then(
    (reply) => {
      throw new Error(`expected a failure, got ${JSON.stringify(reply)}`);
    },
    (error: unknown) => error as NangoError,
  );
}

/** The run's own log line (`action run`) for an action, the latest first. */
function runLines(logs: LogLine[], action: string): LogLine[] {
  return logs.filter((line) => line.msg === 'action run' && line['action'] === action).reverse();
}

/** While `during` is pending, keeps calling calls that run no action and another action; returns their worst latency. */
async function servedMeanwhile<T>(h: Harness, during: Promise<T>): Promise<{ result: T; slowestMs: number; answered: number }> {
  let done = false;
  let slowestMs = 0;
  let answered = 0;
  const probe = (async () => {
    while (!done) {
      const started = Date.now();
      await h.nango.listConnections('1');
      await h.nango.getConnection('demo', '1');
      await expect(h.nango.triggerAction('demo', 'withHelper', '1', { text: 'ok' })).resolves.toMatchObject({ success: true });
      slowestMs = Math.max(slowestMs, Date.now() - started);
      answered++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  const result = await during.finally(() => (done = true));
  await probe;
  return { result, slowestMs, answered };
}

describe('actions run in a sandbox the worker can stop', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ yaml: YAML, maxConcurrentActions: 4 });
    await h.nango.registerConnection('misbehaving', '1', { api_key: 'k' });
    await h.nango.registerConnection('demo', '1', { api_key: 'k' });
  });
  afterEach(async () => {
    await h.stop();
  });

  it.each([
    ['syncLoop', 'action_timeout', /misbehaving\.syncLoop did not finish within 1000 ms; it was stopped/, LIMIT_MS],
    ['asyncLoop', 'action_timeout', /misbehaving\.asyncLoop did not finish within 1000 ms; it was stopped/, LIMIT_MS],
    ['neverResolves', 'action_timeout', /misbehaving\.neverResolves did not finish within 1000 ms; it was stopped/, LIMIT_MS],
    ['allocates', 'action_memory_exceeded', /misbehaving\.allocates used more than its memory cap of 64 MB/, 20_000],
    ['exits', 'action_failed', /misbehaving\.exits called process\.exit\(0\); its sandbox was stopped/, LIMIT_MS],
    [
      'throwsFromTimer',
      'action_failed',
      /misbehaving\.throwsFromTimer threw outside executeAction \(in a timer or callback\): thrown from a timer/,
      LIMIT_MS,
    ],
  ])('%s: stopped within its limit with %s, while the worker keeps serving', async (action, code, message, limitMs) => {
    const call = failure(h.nango.triggerAction('misbehaving', action, '1', {}));
    const { result: error, slowestMs, answered } = await servedMeanwhile(h, call);
    expect(error).toMatchObject({ code, errorMsg: expect.stringMatching(message) });
    expect(answered).toBeGreaterThan(0);
    // Three calls in a row, one of them an action. A spinning sandbox takes one of this machine's two cores, so
    // other calls are slower meanwhile, but they keep being answered.
    expect(slowestMs).toBeLessThan(2_000);
    if (code === 'action_timeout') expect(answered).toBeGreaterThan(1);
    const [line] = runLines(h.logs, action);
    const overLimitMs = line?.['overLimitMs'] as number | undefined;
    reportFigures(`sandbox:${action}`, {
      code: error.code,
      durationMs: line?.['durationMs'],
      overLimitMs,
      slowestOtherCallMs: slowestMs,
      answered,
    });
    expect(line?.['outcome']).toBe(code);
    // Stopped within its limit plus a second, counted from when its code started (the run's time limit) ...
    if (code === 'action_timeout') expect(overLimitMs).toBeLessThan(1_000);
    // ... and, whatever stopped it, the whole call (a sandbox to start and the file to load included) stayed within
    // its limit plus a margin for a busy 2-core machine.
    expect(line?.['durationMs']).toBeLessThan(limitMs + 2_000);
    // The worker goes on: the same action can be called again, and others run.
    await expect(h.nango.triggerAction('demo', 'withHelper', '1', { text: 'hi' })).resolves.toEqual({
      success: true,
      returnValue: 'HI!',
    });
  });

  it('an action that ignores its signal really stops: no tick after the reply, and a slot is held until then', async () => {
    const started = Date.now();
    // 8 runs with 4 slots: the second four wait for the first four to be stopped, not merely abandoned.
    const calls = Array.from({ length: 8 }, () => failure(h.nango.triggerAction('misbehaving', 'asyncLoop', '1', {})));
    const errors = await Promise.all(calls);
    expect(errors.map((error) => error.code)).toEqual(Array(8).fill('action_timeout'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * LIMIT_MS);
    const ticks = () => h.logs.filter((line) => line.msg === 'tick').length;
    const before = ticks();
    expect(before).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(ticks()).toBe(before);
    // At no time did more runs tick than there are slots.
    const alive = new Map<string, [number, number]>();
    for (const line of h.logs.filter((l) => l.msg === 'tick')) {
      const id = String(line['executionId']);
      const [first = line['time'] as number] = alive.get(id) ?? [];
      alive.set(id, [first, line['time'] as number]);
    }
    const spans = [...alive.values()];
    for (const [at] of spans) expect(spans.filter(([from, to]) => from <= at && at <= to).length).toBeLessThanOrEqual(4);
  });

  it('aborts the signal of a run past its limit; one that stops then keeps its sandbox', async () => {
    const error = await failure(h.nango.triggerAction('misbehaving', 'sleeps', '1', { ms: 10_000 }));
    expect(error).toMatchObject({
      code: 'action_timeout',
      errorMsg: 'misbehaving.sleeps did not finish within 2500 ms; it was aborted',
    });
    const [line] = runLines(h.logs, 'sleeps');
    expect(line?.['overLimitMs']).toBeLessThan(250);
    expect(h.logs.some((l) => l.msg === 'action sandbox stopped; starting a fresh one')).toBe(false);
  });

  it('a late throw ends the run that happens to share its sandbox with a retryable error, and blames its own run in the log', async () => {
    await expect(h.nango.triggerAction('misbehaving', 'leavesTimer', '1', {})).resolves.toEqual({
      success: true,
      returnValue: 'done',
    });
    const error = await failure(h.nango.triggerAction('misbehaving', 'sleeps', '1', { ms: 2_000 }));
    expect(error.code).toBe('action_sandbox_crashed');
    expect(error.errorMsg).toMatch(/The sandbox running misbehaving\.sleeps stopped .*thrown after the run ended/);
    await expect(h.nango.triggerAction('misbehaving', 'sleeps', '1', { ms: 10 })).resolves.toEqual({
      success: true,
      returnValue: 'slept',
    });
  });

  it('gives the action its signal, and none of the worker’s settings or its process', async () => {
    const reply = await h.nango.triggerAction('misbehaving', 'probes', '1', {});
    expect(reply).toEqual({
      success: true,
      returnValue: { isMainThread: false, nangoEnv: [], killRefused: true, stackNamesFile: true },
    });
  });
});

describe('requests that run no action never wait behind actions', () => {
  it('answers Connection calls promptly with the worker full of actions that never finish', async () => {
    const h = await startHarness({ yaml: YAML, maxConcurrentActions: 2, prefetch: 8 });
    try {
      await h.nango.registerConnection('misbehaving', '1', { api_key: 'k' });
      // Far more than the prefetch: without the overflow queue, they would fill it and the calls below would queue.
      const stuck = Array.from({ length: 40 }, () =>
        failure(h.nango.triggerAction('misbehaving', 'neverResolves', '1', {}, { timeoutMs: 2_000 })),
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      let slowestMs = 0;
      for (let i = 0; i < 10; i++) {
        const started = Date.now();
        await expect(h.nango.listConnections('1')).resolves.toMatchObject({ success: true });
        await expect(h.nango.getToken('misbehaving', '1')).resolves.toMatchObject({ success: true });
        slowestMs = Math.max(slowestMs, Date.now() - started);
      }
      reportFigures('sandbox:backlog', { slowestPairMs: slowestMs });
      expect(slowestMs).toBeLessThan(500);
      const codes = new Set((await Promise.all(stuck)).map((error) => error.code));
      expect([...codes].every((code) => code === 'timeout' || code === 'action_timeout')).toBe(true);
      // The worker drains what it holds (the rest is dropped: its callers stopped waiting), then is idle.
      await waitFor(() => h.worker.inFlightCount === 0, 20_000, 'the worker to drain');
    } finally {
      await h.stop();
    }
  });
});

describe('two workers and a looping action that keeps being retried', () => {
  it('both workers stay up and keep answering other calls', async () => {
    const h = await startHarness({ yaml: YAML, maxConcurrentActions: 2 });
    const logs: LogLine[] = [];
    const second = await Worker.start({
      ...h.worker.settings,
      logger: createLogger('debug', { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) }),
    });
    try {
      await h.nango.registerConnection('misbehaving', '1', { api_key: 'k' });
      await h.nango.registerConnection('demo', '1', { api_key: 'k' });
      // The caller retries a retryable error, as a client would: six loop runs, two at a time.
      const retried = (async () => {
        const codes: string[] = [];
        for (let attempt = 0; attempt < 3; attempt++) {
          const errors = await Promise.all([1, 2].map(() => failure(h.nango.triggerAction('misbehaving', 'syncLoop', '1', {}))));
          codes.push(...errors.map((e) => e.code));
        }
        return codes;
      })();
      const { result: codes, slowestMs, answered } = await servedMeanwhile(h, retried);
      reportFigures('sandbox:twoWorkers', { codes, slowestOtherCallMs: slowestMs, answered });
      expect(codes).toEqual(Array(6).fill('action_timeout'));
      expect(answered).toBeGreaterThan(3);
      expect(slowestMs).toBeLessThan(1_000);
      // Both workers ran some of the loops and are still answering.
      await waitFor(
        () => runLines(logs, 'syncLoop').length > 0 && runLines(h.logs, 'syncLoop').length > 0,
        1_000,
        'both to run loops',
      );
      for (let i = 0; i < 10; i++) await expect(h.nango.listConnections('1')).resolves.toMatchObject({ success: true });
    } finally {
      await second.stop();
      await h.stop();
    }
  });
});
