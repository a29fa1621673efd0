import type { ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import type { Logger } from '../logger';

/** A cheap test on the raw body: only triggerAction requests carry this string (a false hit only costs a hop). */
const ACTION_MARKER = Buffer.from('"triggerAction"');

/** True when a request body looks like a triggerAction. */
export function looksLikeAction(content: Buffer): boolean {
  return content.includes(ACTION_MARKER);
}

/**
 * Keeps the request queue's prefetch from filling up with actions. The broker hands a worker at most NANGO_PREFETCH
 * unacked requests whatever they are, so a worker whose slots are all taken by slow actions would stop taking
 * Connection reads and writes and token calls, which then wait in the queue behind more actions. Past `budget`
 * actions held from the request queue, a further action waits a moment for room (fast actions make room all the
 * time, so they never leave), then is moved to the overflow queue (published with a confirm, then acked), which
 * every worker consumes, answering an action from it only when one of its action slots is free. What stays in the
 * request queue's prefetch is room for the requests that run no action.
 */
export class ActionOverflow {
  constructor(
    private readonly channel: ConfirmChannel,
    private readonly queue: string,
    private readonly logger: Logger,
  ) {}

  /**
   * Publishes a copy of `msg` to the overflow queue and resolves true once the broker has confirmed it (the caller
   * then acks the original); false when it could not, and the caller answers the request itself.
   */
  async move(msg: ConsumeMessage): Promise<boolean> {
    const p = msg.properties;
    const options: Options.Publish = {
      persistent: true,
      mandatory: true,
      ...(p.contentType !== undefined && { contentType: p.contentType as string }),
      ...(p.correlationId !== undefined && { correlationId: p.correlationId as string }),
      ...(p.replyTo !== undefined && { replyTo: p.replyTo as string }),
      ...(p.headers !== undefined && { headers: p.headers }),
      ...(p.messageId !== undefined && { messageId: p.messageId as string }),
      ...(p.expiration !== undefined && { expiration: p.expiration as string }),
    };
    try {
      await new Promise<void>((resolve, reject) =>
        this.channel.sendToQueue(this.queue, msg.content, options, (error) => (error ? reject(error) : resolve())),
      );
      return true;
    } catch (error) {
      this.logger.warn(
        { err: error, correlationId: p.correlationId },
        'could not move an action request to the overflow queue; running it here',
      );
      return false;
    }
  }
}
