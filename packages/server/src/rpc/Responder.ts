import type { ConsumeMessage } from 'amqplib';
import type { Logger } from '../logger';
import type { ProcessedRequest } from './processRequest';

/** What to do with a delivery once it has been answered (or found unanswerable). */
export type Settlement = 'ack' | 'reject' | 'requeue';

/** Sends a reply; false when no reply channel could be had in time. */
export type PublishReply = (replyTo: string, reply: Buffer, correlationId: string | undefined) => Promise<boolean>;

/**
 * Answers requests, whichever consumer (and channel) delivered them. It outlives reconnects, which is what lets
 * it see that a redelivered request is one it is still running: when the broker connection drops, unacked
 * requests come back, and running them again would repeat their side effects. Such a redelivery waits for the
 * first run and answers with its result.
 */
export class Responder {
  private readonly running = new Map<string, Promise<ProcessedRequest>>();
  private active = 0;
  private idle: (() => void) | undefined;

  constructor(
    private readonly process: (content: Buffer) => Promise<ProcessedRequest>,
    private readonly publish: PublishReply,
    private readonly logger: Logger,
  ) {}

  /** Requests being answered right now. */
  get activeCount(): number {
    return this.active;
  }

  /** Answers one delivery and says how to settle it. Never throws. */
  async answer(msg: ConsumeMessage): Promise<Settlement> {
    const { replyTo, correlationId } = msg.properties as { replyTo?: string; correlationId?: string };
    if (!replyTo) {
      this.logger.warn({ correlationId, bytes: msg.content.length }, 'request without a reply address rejected');
      return 'reject';
    }
    this.active++;
    try {
      const { reply, malformed } = await this.run(msg.content, correlationId, msg.fields.redelivered);
      if (malformed)
        this.logger.warn({ correlationId, bytes: msg.content.length }, 'request that is not JSON answered and rejected');
      if (!(await this.publish(replyTo, reply, correlationId))) {
        this.logger.warn({ correlationId }, 'no reply channel; the request goes back to the queue');
        return 'requeue';
      }
      return malformed ? 'reject' : 'ack';
    } finally {
      this.active--;
      if (this.active === 0) this.idle?.();
    }
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

  private run(content: Buffer, correlationId: string | undefined, redelivered: boolean): Promise<ProcessedRequest> {
    const existing = correlationId === undefined ? undefined : this.running.get(correlationId);
    if (existing) {
      this.logger.info({ correlationId, redelivered }, 'request delivered again while it runs; answering with that run');
      return existing;
    }
    const run = this.process(content);
    if (correlationId !== undefined) {
      this.running.set(correlationId, run);
      void run.finally(() => this.running.delete(correlationId));
    }
    return run;
  }
}
