import { once } from 'node:events';
import * as amqp from 'amqplib';
import { carriesCredentials, credentialsQueue, ERROR_CODES } from '@nangohq/protocol';
import { waitFor } from '../helpers/harness';
import { FaultRig, messageCount, reportFigures, sleep, type WorkerProcess } from './faultHarness';

// Thousands of requests the client would never send, interleaved with valid ones, published raw. At the end the
// worker is alive, every request it could answer (reply address and correlation id) got exactly one answer,
// every valid one succeeded, and every malformed one got an error code of the protocol (never internal_error,
// which would mean a bug). The run is seeded: NANGO_FUZZ_SEED=<seed> replays a failure.
const SEED = Number(process.env['NANGO_FUZZ_SEED'] ?? 20261122);
const COUNT = 3_000;
const HUGE_BYTES = 2 * 1024 * 1024;

/** What a fuzz request must get back. `answer`: a reply of either kind; `none`: it cannot be answered or matched. */
type Expectation = 'success' | 'error' | 'answer' | 'none';

interface FuzzCase {
  kind: string;
  body: Buffer;
  properties: amqp.Options.Publish;
  expect: Expectation;
  /** For `success`: the returnValue it must carry. */
  returnValue?: unknown;
  /** Published non-persistent to the credentials queue, as the client sends credential-bearing requests. */
  toCredentialsQueue?: boolean;
}

interface Reply {
  success?: unknown;
  errorCode?: unknown;
  returnValue?: unknown;
}

describe(`fault: fuzzed requests (seed ${SEED})`, () => {
  let rig: FaultRig;

  beforeEach(async () => {
    rig = await FaultRig.start();
  });

  afterEach(async () => {
    await rig.close();
  });

  it(`answers ${COUNT} malformed and valid requests and stays up`, async () => {
    const worker = await rig.startWorker();
    const nango = await rig.client();
    await nango.registerConnection('fault', 'u1', { api_key: 'k' });

    const random = new Random(SEED);
    const cases = Array.from({ length: COUNT }, (_, i) => makeCase(random, i));
    const replies = await publishAndCollect(rig, worker, cases);

    reportFigures('fuzz', { seed: SEED, ...summarise(cases, replies) });
    expect(worker.running).toBe(true);
    expect(worker.output()).not.toMatch(/uncaught exception|unhandled promise rejection/);
    const problems: string[] = [];
    cases.forEach((c, i) => {
      const got = replies.get(`fuzz-${i}`) ?? [];
      const where = `#${i} ${c.kind}`;
      if (c.expect === 'none') return;
      if (got.length !== 1) return void problems.push(`${where}: ${got.length} replies`);
      const reply = got[0]!;
      if (c.expect === 'success' && reply.success !== true) problems.push(`${where}: failed with ${String(reply.errorCode)}`);
      if (c.expect === 'success' && c.returnValue !== undefined && !sameJson(reply.returnValue, c.returnValue))
        problems.push(`${where}: wrong returnValue`);
      if (c.expect === 'error' && reply.success !== false) problems.push(`${where}: succeeded`);
      if (reply.success !== true && !(typeof reply.errorCode === 'string' && reply.errorCode in ERROR_CODES))
        problems.push(`${where}: unknown error code ${String(reply.errorCode)}`);
      if (reply.errorCode === 'internal_error') problems.push(`${where}: internal_error`);
    });
    expect(problems.slice(0, 20)).toEqual([]);

    await expect(nango.triggerAction('fault', 'echo', 'u1', { still: 'up' })).resolves.toMatchObject({
      returnValue: { still: 'up' },
    });
    await waitFor(async () => (await messageCount(rig.url, rig.queue)) === 0, 5_000, 'the request queue to drain');
  }, 120_000);
});

/**
 * Publishes every case on one channel that consumes direct reply-to (replies come back to the channel that
 * published), then waits until every answerable case has a reply, or 30 s. Returns the replies by correlation id.
 */
async function publishAndCollect(rig: FaultRig, worker: WorkerProcess, cases: FuzzCase[]): Promise<Map<string, Reply[]>> {
  const replies = new Map<string, Reply[]>();
  const connection = await amqp.connect(rig.url);
  try {
    const channel = await connection.createChannel();
    await channel.consume(
      'amq.rabbitmq.reply-to',
      (msg) => {
        if (!msg) return;
        const id = String(msg.properties.correlationId);
        let reply: Reply;
        try {
          reply = JSON.parse(msg.content.toString()) as Reply;
        } catch {
          reply = { success: 'not JSON' };
        }
        replies.set(id, [...(replies.get(id) ?? []), reply]);
      },
      { noAck: true },
    );
    for (const c of cases) {
      const queue = c.toCredentialsQueue ? credentialsQueue(rig.queue) : rig.queue;
      if (!channel.publish('', queue, c.body, c.properties)) await once(channel, 'drain');
    }
    const answerable = cases.flatMap((c, i) => (c.expect === 'none' ? [] : [`fuzz-${i}`]));
    await waitFor(
      () => {
        if (!worker.running) throw new Error(`the worker died during the fuzz run:\n${worker.output().slice(-3_000)}`);
        return answerable.every((id) => replies.has(id));
      },
      30_000,
      `replies to all ${answerable.length} answerable requests`,
    ).catch((error: unknown) => {
      const missing = answerable.filter((id) => !replies.has(id));
      const first = missing.slice(0, 20).map((id) => `${id} ${cases[Number(id.slice('fuzz-'.length))]!.kind}`);
      throw new Error(`${(error as Error).message}: ${missing.length} missing, first ${first.join(', ')}`, { cause: error });
    });
    await sleep(500); // a second reply to anything would arrive by now
  } finally {
    await connection.close();
  }
  return replies;
}

/** Per expectation, how the requests were answered: 'ok', an error code, or 'no reply'. */
function summarise(cases: FuzzCase[], replies: Map<string, Reply[]>): Record<string, Record<string, number>> {
  const summary: Record<string, Record<string, number>> = {};
  cases.forEach((c, i) => {
    const got = replies.get(`fuzz-${i}`) ?? [];
    const how = got.map((reply) => (reply.success === true ? 'ok' : String(reply.errorCode))).join('+') || 'no reply';
    const row = (summary[c.expect] ??= {});
    row[how] = (row[how] ?? 0) + 1;
  });
  return summary;
}

/** A valid message of each type, for u1 (registered) or a fresh user; the fuzzer bends copies of these. */
function validMessages(i: number): Record<string, Record<string, unknown>> {
  return {
    registerConnection: { type: 'registerConnection', integration: 'fault', userId: `fz-${i}`, credentials: { api_key: 'k' } },
    updateConnectionConfig: { type: 'updateConnectionConfig', integration: 'fault', userId: 'u1', additionalConfig: { i } },
    updateConnectionCredentials: {
      type: 'updateConnectionCredentials',
      integration: 'fault',
      userId: 'u1',
      credentials: { api_key: 'k' },
    },
    getConnectionsForUserId: { type: 'getConnectionsForUserId', userId: 'u1' },
    getConnectionsForIntegration: { type: 'getConnectionsForIntegration', integration: 'fault' },
    triggerAction: { type: 'triggerAction', integration: 'fault', action: 'echo', userId: 'u1', input: { i } },
  };
}

const OBJECT_FIELDS = new Set(['credentials', 'additionalConfig', 'input']);
const NOT_A_STRING: readonly unknown[] = [42, -1.5, true, null, [], ['u1'], {}, { userId: 'u1' }];
const NOT_AN_OBJECT: readonly unknown[] = ['text', 42, false, null, [], [{ api_key: 'k' }]];
const BARE_BODIES = ['null', '', '{}', '[]', '""', '0', 'true', '"getConnectionsForUserId"'];

/** Case `i`, drawn from `random`: about a third valid, the rest malformed in one of many ways. */
function makeCase(random: Random, i: number): FuzzCase {
  const properties: amqp.Options.Publish = {
    correlationId: `fuzz-${i}`,
    replyTo: 'amq.rabbitmq.reply-to',
    contentType: 'application/json',
  };
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  const valid = validMessages(i);
  const base = random.pick(Object.values(valid));
  switch (
    random.weighted({
      valid: 32,
      notJson: 6,
      bytes: 6,
      wrongType: 10,
      missing: 8,
      extra: 3,
      unknown: 5,
      bare: 4,
      huge: 1,
      deep: 2,
      noReply: 4,
      noCorrelation: 2,
      contentType: 4,
      badUtf8: 2,
    })
  ) {
    case 'valid': {
      const { type } = base as { type: string };
      const returnValue = type === 'triggerAction' ? (base['input'] as unknown) : undefined;
      const toCredentialsQueue = carriesCredentials(type);
      return { kind: `valid ${type}`, body: json(base), properties, expect: 'success', returnValue, toCredentialsQueue };
    }
    case 'notJson':
      return { kind: 'not JSON', body: Buffer.from(`{x${random.text(random.int(200))}`), properties, expect: 'error' };
    case 'bytes':
      return { kind: 'random bytes', body: random.bytes(1 + random.int(1024)), properties, expect: 'error' };
    case 'wrongType': {
      const field = random.pick(Object.keys(base));
      const value = random.pick(OBJECT_FIELDS.has(field) ? NOT_AN_OBJECT : NOT_A_STRING);
      return {
        kind: `wrong type: ${field}=${JSON.stringify(value)}`,
        body: json({ ...base, [field]: value }),
        properties,
        expect: 'error',
      };
    }
    case 'missing': {
      const field = random.pick(requiredFields(base));
      const rest = { ...base };
      delete rest[field];
      return { kind: `missing ${field}`, body: json(rest), properties, expect: 'error' };
    }
    case 'extra': {
      const key = random.pick(['__proto__', 'constructor', 'prototype', `x${random.int(1e6)}`]);
      const body = `{${JSON.stringify(key)}:{"polluted":true},${JSON.stringify(base).slice(1)}`;
      return { kind: `extra field ${key}`, body: Buffer.from(body), properties, expect: 'error' };
    }
    case 'unknown':
      return {
        kind: 'unknown type',
        body: json({ ...base, type: `x${random.text(random.int(40))}` }),
        properties,
        expect: 'error',
      };
    case 'bare': {
      const body = random.pick(BARE_BODIES);
      return { kind: `bare body ${JSON.stringify(body)}`, body: Buffer.from(body), properties, expect: 'error' };
    }
    case 'huge': {
      const blob = 'x'.repeat(HUGE_BYTES);
      const message = random.pick([
        { ...valid['triggerAction'], input: { blob } },
        { ...valid['getConnectionsForUserId'], userId: blob },
      ]);
      return { kind: 'huge string', body: json(message), properties, expect: 'error' };
    }
    case 'deep': {
      const depth = 1_000 + random.int(100_000);
      if (random.int(2) === 0) {
        const body = `${'['.repeat(depth)}${']'.repeat(depth)}`;
        return { kind: `nested arrays, depth ${depth}`, body: Buffer.from(body), properties, expect: 'error' };
      }
      const input = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      const body = `{"type":"triggerAction","integration":"fault","action":"echo","userId":"u1","input":${input}}`;
      return { kind: `nested input, depth ${depth}`, body: Buffer.from(body), properties, expect: 'answer' };
    }
    case 'noReply': {
      const rest = { ...properties };
      delete rest.replyTo;
      return { kind: 'no reply address', body: json(base), properties: rest, expect: 'none' };
    }
    case 'noCorrelation': {
      const rest = { ...properties };
      delete rest.correlationId;
      return { kind: 'no correlation id', body: json(base), properties: rest, expect: 'none' };
    }
    case 'contentType': {
      const contentType = random.pick(['text/plain', 'application/xml', 'application/octet-stream', '']);
      const contentEncoding = random.pick([undefined, 'gzip', 'x-unknown']);
      const kind = `content type ${JSON.stringify(contentType)}, encoding ${String(contentEncoding)}`;
      return {
        kind,
        body: json(base),
        properties: { ...properties, contentType, ...(contentEncoding && { contentEncoding }) },
        expect: 'answer',
      };
    }
    default: {
      const body = Buffer.concat([
        Buffer.from('{"type":"getConnectionsForUserId","userId":"'),
        random.bytes(8),
        Buffer.from('"}'),
      ]);
      return { kind: 'invalid UTF-8 in a string', body, properties, expect: 'answer' };
    }
  }
}

/** Every field of the valid messages is required except triggerAction's input. */
function requiredFields(message: Record<string, unknown>): string[] {
  return Object.keys(message).filter((field) => field !== 'input');
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const ALPHABET = [...'abcXYZ019 "\\{}[]:,\'é€😀\t\n'];

/** mulberry32: a small seeded PRNG, so that a failing run can be replayed exactly. */
class Random {
  constructor(private state: number) {}

  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  weighted<K extends string>(weights: Record<K, number>): K {
    const entries = Object.entries(weights) as Array<[K, number]>;
    let roll = this.next() * entries.reduce((sum, [, weight]) => sum + weight, 0);
    for (const [key, weight] of entries) if ((roll -= weight) < 0) return key;
    return entries[entries.length - 1]![0];
  }

  /** Printable ASCII and a few multi-byte characters. */
  text(length: number): string {
    return Array.from({ length }, () => this.pick(ALPHABET)).join('');
  }

  bytes(length: number): Buffer {
    return Buffer.from(Array.from({ length }, () => this.int(256)));
  }
}
