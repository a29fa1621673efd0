import { createHash } from 'node:crypto';
import type { ConsumeMessage } from 'amqplib';
import { DEADLINE_HEADER } from '@nangohq/protocol';
import type { Logger } from '../logger';
import { inProcessSpan } from '../tracing/inProcessSpan';
import { errorReply, type Delivery, type ProcessedRequest } from './processRequest';

/** What to do with a delivery once it has been answered (or found unanswerable). */
export type Settlement = 'ack' | 'reject' | 'requeue';

/** Sends a reply; false when no reply channel could be had in time. */
export type PublishReply = (replyTo: string, reply: Buffer, correlationId: string | undefined) => Promise<boolean>;

/** What a Responder needs; the limits come from the worker's settings. */
export interface ResponderOptions {
  process: (content: Buffer, delivery: Delivery) => Promise<ProcessedRequest>;
  publish: PublishReply;
  logger: Logger;
  maxRequestBytes: number;
  maxReplyBytes: number;
  maxDeliveries: number;
  /**
   * Counts the deliveries of a redelivered request, the first included (classic queues, which do not count).
   * Absent for quorum queues, whose broker dead-letters past its delivery limit by itself.
   */
  countDeliveries?: (correlationId: string) => Promise<number>;
}

/**
 * Answers requests, whichever consumer (and channel) delivered them. It outlives reconnects, which is what lets
 * it see that a redelivered request is one it is still running: when the broker connection drops, unacked
 * requests come back, and running them again would repeat their side effects. Such a redelivery waits for the
 * first run and answers with its result. It also drops requests whose caller has given up, refuses oversized
 * ones, and ends requests that keep coming back (they go to the dead-letter queue).
 */
/** How many answered correlation ids are remembered, and for how long (a redelivery follows within seconds). */
const RECENT_ANSWERS = 10_000;
const RECENT_ANSWER_MS = 10 * 60_000;

/** Requests are dropped only this long past their caller's deadline: the caller's clock may run ahead of ours. */
const DEADLINE_SKEW_MS = 2_000;

export class Responder {
  /** Requests running now, by correlation id, with their body: only a redelivery of that same body shares the run. */
  private readonly running = new Map<string, { content: Buffer; run: Promise<ProcessedRequest> }>();
  /**
   * Requests answered lately, by correlation id, in two generations: when the newer fills up it becomes the older
   * and the oldest is dropped whole. (Evicting one entry per insert from a single Map walks V8's deleted slots and
   * cost 2.5% of the worker's CPU under load.) A redelivery whose ack was lost is acked, not run again.
   */
  private answered = new Map<string, number>();
  private answeredBefore = new Map<string, number>();
  private active = 0;
  private idle: (() => void) | undefined;

  constructor(private readonly options: ResponderOptions) {}

  /** Requests being answered right now. */
  get activeCount(): number {
    return this.active;
  }

  /**
   * Answers one delivery and says how to settle it. A request from the credentials queue is acked where another
   * would be rejected: it must not be dead-lettered, not even by a dead-letter policy someone put on that queue.
   * Never throws. The answer is traced as a messaging `process` span, in the trace of the call when the message
   * carries one (see tracing/inProcessSpan.ts).
   */
  answer(msg: ConsumeMessage, fromCredentialsQueue = false): Promise<Settlement> {
    return inProcessSpan(msg, () => this.answerNow(msg, fromCredentialsQueue));
  }

  private async answerNow(msg: ConsumeMessage, fromCredentialsQueue: boolean): Promise<Settlement> {
    const { replyTo, correlationId, headers } = msg.properties as {
      replyTo?: string;
      correlationId?: string;
      headers?: Record<string, unknown>;
    };
    const { logger } = this.options;
    if (!replyTo) {
      logger.warn({ correlationId, bytes: msg.content.length }, 'request without a reply address rejected');
      return fromCredentialsQueue ? 'ack' : 'reject';
    }
    const deadline = headers?.[DEADLINE_HEADER];
    if (typeof deadline === 'number' && Date.now() > deadline + DEADLINE_SKEW_MS && !this.running.has(correlationId ?? '')) {
      logger.warn(
        { correlationId, lateByMs: Date.now() - deadline },
        'request dropped: its caller stopped waiting before it was handled',
      );
      return 'ack';
    }
    if (msg.fields.redelivered && correlationId !== undefined && this.wasAnswered(correlationId)) {
      logger.info({ correlationId }, 'request delivered again after it was answered (its ack was lost); acked, not run again');
      return 'ack';
    }
    this.active++;
    try {
      // Only a redelivery waits for the database (its count): a first delivery starts its run in this very tick, so a
      // redelivery of it arriving next finds it running.
      const check = this.refuse(msg, correlationId);
      const refusal = check instanceof Promise ? await check : check;
      const delivery: Delivery = { persistent: msg.properties.deliveryMode === 2, fromCredentialsQueue, correlationId };
      const { reply, malformed } = refusal ?? (await this.run(msg.content, correlationId, msg.fields.redelivered, delivery));
      if (malformed) logger.warn({ correlationId, bytes: msg.content.length }, 'unreadable request answered and rejected');
      if (!(await this.options.publish(replyTo, this.capped(reply, correlationId), correlationId))) {
        logger.warn({ correlationId }, 'no reply channel; the request goes back to the queue');
        return 'requeue';
      }
      if (correlationId !== undefined) this.remember(correlationId);
      return malformed && !fromCredentialsQueue ? 'reject' : 'ack';
    } finally {
      this.active--;
      if (this.active === 0) this.idle?.();
    }
  }

  private remember(correlationId: string): void {
    if (this.answered.size >= RECENT_ANSWERS / 2) {
      this.answeredBefore = this.answered;
      this.answered = new Map();
    }
    this.answered.set(correlationId, Date.now() + RECENT_ANSWER_MS);
  }

  private wasAnswered(correlationId: string): boolean {
    const until = this.answered.get(correlationId) ?? this.answeredBefore.get(correlationId);
    return until !== undefined && until > Date.now();
  }

  /** Resolves when no request is being answered, or after `graceMs`. */
  waitIdle(graceMs: number): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, graceMs);
      this.idle = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** An error reply for a request that must not run: too large, or delivered too often. Marked malformed so it is rejected. */
  private refuse(
    msg: ConsumeMessage,
    correlationId: string | undefined,
  ): ProcessedRequest | undefined | Promise<ProcessedRequest | undefined> {
    const { maxRequestBytes, countDeliveries } = this.options;
    if (msg.content.length > maxRequestBytes) {
      const text = `The request is ${msg.content.length} bytes; the limit is ${maxRequestBytes} (NANGO_MAX_REQUEST_BYTES)`;
      return { reply: errorReply('request_too_large', text), malformed: true };
    }
    const runningNow = correlationId !== undefined && this.running.has(correlationId);
    if (!msg.fields.redelivered || !countDeliveries || runningNow) return undefined;
    return this.countedOut(msg, correlationId, countDeliveries);
  }

  /** The refusal of a redelivered request delivered too many times, counted in the database. */
  private async countedOut(
    msg: ConsumeMessage,
    correlationId: string | undefined,
    countDeliveries: (id: string) => Promise<number>,
  ): Promise<ProcessedRequest | undefined> {
    const { maxDeliveries, logger } = this.options;
    // Without a correlation id, the body itself identifies the request across deliveries.
    const id = correlationId ?? `sha256:${createHash('sha256').update(msg.content).digest('hex')}`;
    let deliveries: number;
    try {
      deliveries = await countDeliveries(id);
    } catch (error) {
      logger.warn({ err: error, correlationId }, 'could not count the deliveries of a redelivered request');
      return undefined;
    }
    if (deliveries <= maxDeliveries) return undefined;
    logger.error({ correlationId, deliveries }, 'request dead-lettered: delivered too many times without an answer');
    const text = `The request was delivered ${deliveries} times without an answer (it may crash its worker) and went to the dead-letter queue`;
    return { reply: errorReply('request_dead_lettered', text), malformed: true };
  }

  private capped(reply: Buffer, correlationId: string | undefined): Buffer {
    const { maxReplyBytes, logger } = this.options;
    if (reply.length <= maxReplyBytes) return reply;
    logger.warn({ correlationId, bytes: reply.length }, 'reply too large; sent an error instead');
    return errorReply(
      'reply_too_large',
      `The reply is ${reply.length} bytes; the limit is ${maxReplyBytes} (NANGO_MAX_REPLY_BYTES)`,
    );
  }

  /**
   * Runs a request, or shares the run of the same request when this is its redelivery. Only the broker sets
   * `redelivered`, and the body must match: a publisher that reuses a running request's correlation id (by mistake
   * or to read another caller's result) gets a run of its own request.
   */
  private run(
    content: Buffer,
    correlationId: string | undefined,
    redelivered: boolean,
    delivery: Delivery,
  ): Promise<ProcessedRequest> {
    const { logger } = this.options;
    const existing = correlationId === undefined ? undefined : this.running.get(correlationId);
    if (existing && redelivered && existing.content.equals(content)) {
      logger.info({ correlationId }, 'request delivered again while it runs; answering with that run');
      return existing.run;
    }
    if (existing)
      logger.warn({ correlationId }, 'a request reuses the correlation id of another that is running; it runs on its own');
    const run = this.options.process(content, delivery);
    if (correlationId !== undefined && !existing) {
      const entry = { content, run };
      this.running.set(correlationId, entry);
      void run.finally(() => {
        if (this.running.get(correlationId) === entry) this.running.delete(correlationId);
      });
    }
    return run;
  }
}
