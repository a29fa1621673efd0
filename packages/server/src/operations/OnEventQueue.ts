import type { OnEventType } from '@nangohq/action';

/** A Connection event to run the deployed on-event functions of. */
export interface OnEventRun {
  readonly event: OnEventType;
  readonly integration: string;
  readonly userId: string;
  /** The operation the event came from (the Connection's creation or deletion). */
  readonly parentId?: string | undefined;
}

/**
 * Where runs of on-event functions that must not delay the door (post-connection-creation) are queued for a worker:
 * a durable broker queue, so that a run outlives the process that queued it (see onEvents/OnEventPublisher.ts).
 */
export interface OnEventQueue {
  /**
   * Queues the run; resolves once the broker confirmed it has the message.
   * @returns false when it could not (no broker link): the caller runs the functions itself
   */
  enqueue(run: OnEventRun): Promise<boolean>;
}
