import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as amqp from 'amqplib';
import { Nango } from '@nangohq/node-client';
import { createLogger, Worker, type WorkerStartOptions } from '@nangohq/server';
import { workerQueueNames } from '../../src/broker/queueNames';

/** The broker the integration tests use. */
export const RABBITMQ_URL = process.env['NANGO_TEST_RABBITMQ_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';

/** The shipped action fixtures, one per way an action file can be good or broken. */
export const FIXTURES_DIR = join(__dirname, '..', 'fixtures', 'integrations');

/** One parsed log line of the worker. */
export type LogLine = Record<string, unknown> & { msg?: string; level: number };

export interface Harness {
  worker: Worker;
  nango: Nango;
  queue: string;
  dir: string;
  yamlPath: string;
  dbPath: string;
  logs: LogLine[];
  /** Every log line as raw text, to check that no secret was written. */
  rawLogs: string[];
  stop(): Promise<void>;
}

/**
 * Starts a worker on a fresh queue, a fresh SQLite file in a temp folder and the given integrations.yaml, plus a
 * connected client. `stop()` closes both, deletes the queue and the folder: a test leaves nothing behind.
 */
export async function startHarness(options: { yaml: string; integrationsDir?: string } & WorkerStartOptions): Promise<Harness> {
  const { yaml, integrationsDir = FIXTURES_DIR, ...overrides } = options;
  const dir = mkdtempSync(join(tmpdir(), 'nango-it-'));
  const yamlPath = join(dir, 'integrations.yaml');
  writeFileSync(yamlPath, yaml);
  const queue = overrides.queue ?? `nango.test.${randomUUID()}`;
  const dbPath = overrides.dbPath ?? join(dir, 'nango.sqlite');
  const { logs, rawLogs, logger } = captureLogs();
  const worker = await Worker.start({
    rabbitmqUrl: RABBITMQ_URL,
    queue,
    integrationsYaml: yamlPath,
    integrationsDir,
    dbPath,
    watch: false,
    connectRetries: 0,
    shutdownGraceMs: 2_000,
    logger,
    ...overrides,
  });
  const nango = new Nango({ url: RABBITMQ_URL, queue, requestTimeoutMs: 10_000 });
  await nango.connect();
  return {
    worker,
    nango,
    queue,
    dir,
    yamlPath,
    dbPath,
    logs,
    rawLogs,
    /** Closes everything, then fails if the test left a call waiting or a request running. */
    async stop() {
      const pending = nango.pendingCount;
      const inFlight = worker.inFlightCount;
      await nango.close();
      await worker.stop();
      await deleteWorkerQueues(queue);
      rmSync(dir, { recursive: true, force: true });
      if (pending !== 0 || inFlight !== 0) {
        throw new Error(`the test left ${pending} call(s) waiting for a reply and ${inFlight} request(s) in the worker`);
      }
    },
  };
}

/** Deletes every queue a worker declares for `queue` (requests, credentials, action overflow, their dead letters). */
export async function deleteWorkerQueues(queue: string): Promise<void> {
  for (const name of workerQueueNames(queue)) await deleteQueue(name);
}

/** Deletes a test queue so the broker does not fill up with them. */
export async function deleteQueue(queue: string): Promise<void> {
  const connection = await amqp.connect(RABBITMQ_URL);
  try {
    const channel = await connection.createChannel();
    await channel.deleteQueue(queue);
  } finally {
    await connection.close();
  }
}

/**
 * Publishes a raw request (anything the client would never send) and waits for its reply, if any; on the
 * machine's broker unless `url` names another (a test's private node).
 */
export async function sendRaw(
  queue: string,
  content: Buffer,
  properties: amqp.Options.Publish & { expectReply?: boolean; waitMs?: number; url?: string } = {},
): Promise<Record<string, unknown> | undefined> {
  const { expectReply = true, waitMs = 5_000, url = RABBITMQ_URL, ...publish } = properties;
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createChannel();
    const reply = new Promise<Record<string, unknown> | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), waitMs);
      void channel.consume(
        'amq.rabbitmq.reply-to',
        (msg) => {
          if (!msg) return;
          clearTimeout(timer);
          resolve(JSON.parse(msg.content.toString()) as Record<string, unknown>);
        },
        { noAck: true },
      );
    });
    await new Promise((resolve) => setImmediate(resolve));
    channel.publish('', queue, content, {
      correlationId: randomUUID(),
      ...(expectReply && { replyTo: 'amq.rabbitmq.reply-to' }),
      ...publish,
    });
    return await reply;
  } finally {
    await connection.close();
  }
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A debug-level logger whose lines a test reads back, parsed (`logs`) and as written (`rawLogs`). */
export function captureLogs() {
  const logs: LogLine[] = [];
  const rawLogs: string[] = [];
  const logger = createLogger('debug', {
    write(line: string) {
      rawLogs.push(line);
      logs.push(JSON.parse(line) as LogLine);
    },
  });
  return { logs, rawLogs, logger };
}
