import type { Channel, ConsumeMessage } from 'amqplib';
import { QueueConsumer, type Settlement } from '../broker/QueueConsumer';
import type { Logger } from '../logger';
import type { OperationContext } from '../operations/OperationContext';
import { runOnEvents } from '../operations/runOnEvents';
import { declareOnEventQueue, decodeOnEventRun } from './onEventMessage';

/** Wait before a run the store could not start is given back, so that a database outage is not a hot loop. */
const REQUEUE_DELAY_MS = 1_000;

export interface OnEventConsumerOptions {
  context: OperationContext;
  logger: Logger;
  queue: string;
  queueType: 'classic' | 'quorum';
  /** Runs a worker takes from the queue at once; they share the action slots of its runner. */
  prefetch: number;
}

/**
 * Runs the on-event functions queued on `<queue>.events` (post-connection-creation, see OnEventPublisher) on a
 * worker: one message, one runOnEvents, acked once it ended, whatever the functions did (their failures are their
 * `event` operations'). A run cut short by the worker stopping is given back (requeued) for another worker; a message
 * that is not a run is logged and dropped, since no retry can make it one.
 */
export class OnEventConsumer extends QueueConsumer {
  constructor(private readonly options: OnEventConsumerOptions) {
    super(options.logger, 'on-event', options.prefetch);
  }

  protected declare(channel: Channel): Promise<string> {
    return declareOnEventQueue(channel, this.options.queue, this.options.queueType);
  }

  protected handle(msg: ConsumeMessage): Promise<Settlement> {
    const run = decodeOnEventRun(msg.content);
    if (typeof run === 'string') {
      this.logger.warn({ reason: run, bytes: msg.content.length }, 'unreadable on-event message dropped');
      return Promise.resolve('ack');
    }
    return runOnEvents(this.options.context, run).then(
      // A failure while the worker stops may be the runner stopping it: another worker runs the event again.
      (failures) => (this.isStopping && failures.length > 0 ? 'requeue' : 'ack'),
      async (error: unknown) => {
        // The deployment or the Connection could not be read: a later try (here or on another worker) may.
        this.logger.warn({ err: error, integration: run.integration, event: run.event }, 'on-event run failed; requeued');
        await new Promise((resolve) => setTimeout(resolve, REQUEUE_DELAY_MS));
        return 'requeue' as const;
      },
    );
  }
}
