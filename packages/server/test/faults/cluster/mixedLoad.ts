/**
 * The mixed load of the cluster harness, as apps make it: actions over RabbitMQ with the node client given every
 * broker address (with and without an idempotency key), actions over HTTP with the official @nangohq/node 0.71.4
 * and with an `Idempotency-Key` header, spread over both API processes, async actions, proxy calls, Connections
 * registered (each one sends an `auth` webhook) and the sync triggered again and again. Every call is recorded with
 * how it ended, so a fault's figures are counted, not assumed.
 */
import { Nango, NangoError } from '@nangohq/node-client';
import { ERROR_CODES, isErrorCode } from '@nangohq/protocol';
import { HIT_TIMEOUT_MS, SECRET_KEY, type ClusterRig } from './clusterRig';

/** What one loop of the load does. */
export type CallKind = 'rpc-keyed' | 'rpc-plain' | 'http-keyed' | 'http-plain' | 'async' | 'proxy' | 'register' | 'sync-trigger';

/** How many loops of each kind run at once, and their pause between calls (ms). */
const LOOPS: ReadonlyArray<{ kind: CallKind; loops: number; pauseMs: number }> = [
  { kind: 'rpc-keyed', loops: 3, pauseMs: 0 },
  { kind: 'rpc-plain', loops: 2, pauseMs: 0 },
  { kind: 'http-keyed', loops: 2, pauseMs: 0 },
  { kind: 'http-plain', loops: 2, pauseMs: 0 },
  { kind: 'async', loops: 1, pauseMs: 100 },
  { kind: 'proxy', loops: 1, pauseMs: 50 },
  { kind: 'register', loops: 1, pauseMs: 250 },
  { kind: 'sync-trigger', loops: 1, pauseMs: 3_000 },
];

/** RPC calls' own time limit (the node client's `requestTimeoutMs`). */
export const RPC_TIMEOUT_MS = 10_000;
/** What the API waits for a synchronous action's reply: the action's limit and 15 s (ActionDispatcher). */
const HTTP_ACTION_WAIT_MS = HIT_TIMEOUT_MS + 15_000;
/** Past its time limit and this margin, a caller counts as hung. */
const HUNG_MARGIN_MS = 5_000;
/** How long a call may take before the harness gives up on it (and counts it hung): no call may take this long. */
const GIVE_UP_MS = 120_000;
/** An async action's result may take a lease (30 s) and a sweep (5 s) after a worker dies, and a retry. */
const ASYNC_RESULT_WAIT_MS = 90_000;

/** One call and how it ended. */
export interface CallRecord {
  kind: CallKind;
  /** The id its action posted to the provider (`/hit/<id>`), the key of a keyed call, or the registered user. */
  id: string;
  keyed: boolean;
  /** Which process or client it went through: `rpc`, `api-1`, `api-2`. */
  door: string;
  startedAt: number;
  ms: number;
  ok: boolean;
  /** Failed with an error a caller is told to retry (or a refused or reset HTTP connection). */
  retryable: boolean;
  /** `ok`, or the error's code. */
  code: string;
  /** It took longer than its time limit plus a margin. */
  hung: boolean;
}

/** A minimal view of the official SDK's methods the load calls. */
interface OfficialNango {
  triggerAction(key: string, connectionId: string, action: string, input?: unknown): Promise<unknown>;
  triggerActionAsync(
    key: string,
    connectionId: string,
    action: string,
    input?: unknown,
  ): Promise<{ id: string; statusUrl: string }>;
  getAsyncActionResult(props: { id: string }): Promise<unknown>;
  get(config: {
    endpoint: string;
    providerConfigKey: string;
    connectionId: string;
    retries?: number;
  }): Promise<{ data: unknown }>;
  triggerSync(key: string, syncs: string[], connectionId: string): Promise<unknown>;
  syncStatus(key: string, syncs: string[], connectionId: string): Promise<{ syncs: Array<Record<string, unknown>> }>;
  listRecords(config: Record<string, unknown>): Promise<{ records: Array<Record<string, unknown>>; next_cursor: string | null }>;
}

/** A user id every action and proxy call uses (registered at start), and the sync's Connection. */
export const ACTION_USER = 'load-user';
export const SYNC_USER = 'sync-user';

export class MixedLoad {
  readonly calls: CallRecord[] = [];
  /** Users whose registration was acknowledged: each must get exactly one `auth` creation webhook. */
  readonly registered: Array<{ userId: string; at: number }> = [];
  private stopped = false;
  private running: Promise<void> | undefined;
  private seq = 0;
  private readonly official: OfficialNango[];

  private constructor(
    private readonly rig: ClusterRig,
    readonly rpc: Nango,
  ) {
    const { Nango: Official } = require('nango-node-0714') as {
      Nango: new (options: { host: string; secretKey: string }) => OfficialNango;
    };
    this.official = rig.apis.map((api) => new Official({ host: api.url, secretKey: SECRET_KEY }));
  }

  /** Connects the node client and registers the Connections the load uses. */
  static async prepare(rig: ClusterRig): Promise<MixedLoad> {
    const rpc = new Nango({ url: [...rig.broker.urls], queue: rig.queue, requestTimeoutMs: RPC_TIMEOUT_MS });
    await rpc.connect();
    await rpc.registerConnection('fault', ACTION_USER, { api_key: 'k' });
    await rpc.registerConnection('tracker', SYNC_USER, { api_key: 'k' });
    return new MixedLoad(rig, rpc);
  }

  /**
   * An official SDK pointed at one API process, as a load balancer would pick it: `n` picks which, round the
   * processes in rotation (all of them, should none be).
   */
  sdk(n: number): { sdk: OfficialNango; door: string; url: string } {
    const inRotation = this.rig.apis.filter((api) => api.inRotation);
    const pool = inRotation.length > 0 ? inRotation : this.rig.apis;
    const api = pool[n % pool.length]!;
    const index = this.rig.apis.indexOf(api);
    return { sdk: this.official[index] as OfficialNango, door: api.name, url: api.url };
  }

  start(): void {
    const loops = LOOPS.flatMap(({ kind, loops, pauseMs }) => Array.from({ length: loops }, () => this.loop(kind, pauseMs)));
    this.running = Promise.all(loops).then(() => undefined);
  }

  /** Stops making calls and resolves once every call made has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  async close(): Promise<void> {
    await this.stop();
    await this.rpc.close();
  }

  private async loop(kind: CallKind, pauseMs: number): Promise<void> {
    while (!this.stopped) {
      const record = await this.call(kind, this.seq++);
      this.calls.push(record);
      // A failed call pauses its loop a little, so a client that fails at once does not spin.
      const pause = record.ok ? pauseMs : Math.max(pauseMs, 100);
      if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  /** Makes one call of `kind` and records how it ended. */
  async call(kind: CallKind, n: number, idOverride?: string): Promise<CallRecord> {
    const id = idOverride ?? `${kind}-${n}`;
    const keyed = kind === 'rpc-keyed' || kind === 'http-keyed';
    const { sdk, door: apiDoor, url: apiUrl } = this.sdk(n);
    const door = kind.startsWith('rpc') || kind === 'register' ? 'rpc' : apiDoor;
    const input = { id, holdMs: 20 };
    const limit: Record<CallKind, number> = {
      'rpc-keyed': RPC_TIMEOUT_MS,
      'rpc-plain': RPC_TIMEOUT_MS,
      register: RPC_TIMEOUT_MS,
      'http-keyed': HTTP_ACTION_WAIT_MS,
      'http-plain': HTTP_ACTION_WAIT_MS,
      async: ASYNC_RESULT_WAIT_MS,
      proxy: HTTP_ACTION_WAIT_MS,
      'sync-trigger': HTTP_ACTION_WAIT_MS,
    };
    const run = async (): Promise<void> => {
      switch (kind) {
        case 'rpc-keyed':
          await this.rpc.triggerAction('fault', 'hit', ACTION_USER, input, { idempotencyKey: id });
          return;
        case 'rpc-plain':
          await this.rpc.triggerAction('fault', 'hit', ACTION_USER, input);
          return;
        case 'register':
          await this.rpc.registerConnection('fault', id, { api_key: 'k' });
          this.registered.push({ userId: id, at: Date.now() });
          return;
        case 'http-plain':
          await sdk.triggerAction('fault', ACTION_USER, 'hit', input);
          return;
        case 'http-keyed':
          await httpKeyed(apiUrl, id, input);
          return;
        case 'async': {
          const { id: runId } = await sdk.triggerActionAsync('fault', ACTION_USER, 'hit', input);
          await asyncResult(() => this.sdk(n).sdk, runId);
          return;
        }
        case 'proxy':
          await sdk.get({ endpoint: '/ping', providerConfigKey: 'fault', connectionId: ACTION_USER, retries: 0 });
          return;
        case 'sync-trigger':
          this.rig.provider.touch(50);
          await sdk.triggerSync('tracker', ['issues'], SYNC_USER);
          return;
      }
    };
    const startedAt = Date.now();
    const outcome = await Promise.race([
      run().then(
        () => ({ ok: true, error: undefined as unknown }),
        (error: unknown) => ({ ok: false, error }),
      ),
      new Promise<{ ok: false; error: unknown }>((resolve) =>
        setTimeout(() => resolve({ ok: false, error: new Error('gave up') }), GIVE_UP_MS).unref(),
      ),
    ]);
    const ms = Date.now() - startedAt;
    const { retryable, code } = outcome.ok ? { retryable: false, code: 'ok' } : classify(outcome.error);
    return { kind, id, keyed, door, startedAt, ms, ok: outcome.ok, retryable, code, hung: ms > limit[kind] + HUNG_MARGIN_MS };
  }
}

/** `POST /action/trigger` with an `Idempotency-Key`, as an app without the SDK sends it. @throws HttpFailure */
async function httpKeyed(apiUrl: string, key: string, input: Record<string, unknown>): Promise<unknown> {
  const response = await fetch(`${apiUrl}/action/trigger`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${SECRET_KEY}`,
      'content-type': 'application/json',
      'connection-id': ACTION_USER,
      'provider-config-key': 'fault',
      'idempotency-key': key,
    },
    body: JSON.stringify({ action_name: 'hit', input }),
  });
  const body = (await response.json().catch(() => ({}))) as { error?: { code?: string } };
  if (response.status !== 200) throw new HttpFailure(response.status, body.error?.code ?? `http_${response.status}`);
  return body;
}

/**
 * Polls an async action's result until it is there (the SDK answers 404 `not_found` while it is queued or runs),
 * each time through an API process in rotation.
 */
async function asyncResult(sdk: () => OfficialNango, id: string): Promise<unknown> {
  const deadline = Date.now() + ASYNC_RESULT_WAIT_MS;
  for (;;) {
    try {
      return await sdk().getAsyncActionResult({ id });
    } catch (error) {
      const { status } = httpError(error);
      if (status !== 404 || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(`HTTP ${status} ${code}`);
  }
}

/** The status and code of an HTTP failure, from fetch, our HttpFailure or the official SDK's (axios) error. */
function httpError(error: unknown): { status: number | undefined; code: string | undefined } {
  if (error instanceof HttpFailure) return { status: error.status, code: error.code };
  const axios = error as { response?: { status?: number; data?: { error?: { code?: string } | string } }; code?: string };
  if (axios.response) {
    const data = axios.response.data?.error;
    return { status: axios.response.status, code: typeof data === 'string' ? data : data?.code };
  }
  return { status: undefined, code: axios.code ?? (error as { cause?: { code?: string } }).cause?.code };
}

/** Whether a caller would retry this failure, and its code. */
function classify(error: unknown): { retryable: boolean; code: string } {
  if (error instanceof NangoError) return { retryable: error.retryable, code: error.code };
  if (error instanceof Error && error.message === 'gave up') return { retryable: false, code: 'gave_up' };
  const { status, code } = httpError(error);
  // No answer at all: the API process was down or died with the call (refused, reset). The caller sees it and may
  // retry (a load balancer would have sent it to the other process).
  if (status === undefined) return { retryable: true, code: `network:${code ?? 'unknown'}` };
  const named = code ?? `http_${status}`;
  // The HTTP API answers with the protocol's codes: their table says which a caller may retry. Past that, a 429 or a
  // 503 or 504 without one of our codes (a proxy in front, a process closing) is retryable too.
  if (isErrorCode(named)) return { retryable: ERROR_CODES[named].retryable, code: named };
  return { retryable: status === 429 || status === 503 || status === 504, code: named };
}
