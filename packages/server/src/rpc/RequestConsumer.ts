import type { Channel, ConsumeMessage } from 'amqplib';
import { credentialsQueue } from '@nangohq/protocol';
import type { Logger } from '../logger';
import { looksLikeAction, type ActionOverflow } from './ActionOverflow';

import { declareQueues, type QueueSettings } from './declareQueues';
import type { Responder } from './Responder';

/**
 * How long an action past the budget waits in the worker for a slot to free before it is moved to the overflow
 * queue. Fast actions free slots far sooner, so they are never moved; slow ones hold up other requests this long at most.
 */
const PARK_MS = 100;

/**
 * Consumes the request queue (and, beside it, the credentials queue) on one channel and settles each delivery as the Responder says: acked once its
 * reply is published; rejected without requeue when it cannot be answered (no reply address) or read (not
 * JSON), so it is never retried forever; requeued when no reply could be sent.
 */
export class RequestConsumer {
  private consumerTags: string[] = [];
  /** Action requests from this consumer being answered now (see ActionOverflow). */
  private actionsHeld = 0;
  /** Actions past the budget, waiting PARK_MS for room before they are moved, oldest first. */
  private readonly parked: Array<{ msg: ConsumeMessage; timer: NodeJS.Timeout }> = [];
  /**
   * Set when a parked action waited PARK_MS in vain, cleared when a held action ends: meanwhile the actions held
   * are slow, and those past the budget move at once rather than draining PARK_MS at a time.
   */
  private moving = false;
  /** Overflow queue only: actions delivered but not started, waiting for a free action slot (see `admit`). */
  private readonly waitingRoom: ConsumeMessage[] = [];
  /** Admitted since the last turn of the event loop: they may not have reached the action slots yet. */
  private justAdmitted = 0;

  /**
   * @param overflow for the request queue: where actions go past `budget` held at once, so that the rest of the
   *   prefetch stays free for requests that run no action
   * @param admit for the overflow queue: how many action slots are free. An action is answered (its idempotency
   *   key claimed, for one) only when a slot is free for it, so the worker never holds a keyed call it claimed but
   *   could not start; the others wait unanswered, and go back to the queue if the worker dies
   */
  constructor(
    private readonly channel: Channel,
    private readonly responder: Responder,
    private readonly logger: Logger,
    private readonly overflow?: { mover: ActionOverflow; budget: number },
    private readonly admit?: () => number,
  ) {}

  /** Overflow queue only: starts waiting actions for which action slots have come free. */
  poke(): void {
    if (!this.admit || this.waitingRoom.length === 0) return;
    let free = this.admit() - this.justAdmitted;
    while (free > 0 && this.waitingRoom.length > 0) {
      if (this.justAdmitted++ === 0) setImmediate(() => (this.justAdmitted = 0));
      free--;
      void this.answer(this.waitingRoom.shift()!, false, false);
    }
  }

  /**
   * Declares the queues, sets the prefetch and starts consuming: the queue named, and its credentials queue unless
   * `queues.credentialsQueue` is false (the overflow queue has none).
   */
  async start(queues: QueueSettings, prefetch: number): Promise<void> {
    await declareQueues(this.channel, queues);
    await this.channel.prefetch(prefetch);
    const consumed = queues.credentialsQueue === false ? [queues.queue] : [queues.queue, credentialsQueue(queues.queue)];
    for (const queue of consumed) {
      const fromCredentialsQueue = queue !== queues.queue;
      const { consumerTag } = await this.channel.consume(queue, (msg) => this.onDelivery(msg, fromCredentialsQueue));
      this.consumerTags.push(consumerTag);
    }
  }

  /** Stops taking new requests; those in flight are still answered (see Responder.waitIdle). */
  async stop(): Promise<void> {
    const tags = this.consumerTags;
    this.consumerTags = [];
    for (const tag of tags) await this.channel.cancel(tag).catch(() => undefined);
    // Parked and waiting actions were never started: they go back to the queue when the channel closes.
    for (const { timer } of this.parked.splice(0)) clearTimeout(timer);
    this.waitingRoom.length = 0;
  }

  /**
   * Closes the channel once its acks are sent: the broker confirms a channel close only after the frames before it,
   * so no ack is lost to a connection close that overtakes them. What is still unacked goes back to the queue.
   */
  async close(): Promise<void> {
    await this.channel.close().catch(() => undefined);
  }

  private onDelivery(msg: ConsumeMessage | null, fromCredentialsQueue: boolean): void {
    if (msg === null) {
      // The broker cancelled us (queue deleted, for one). Closing the channel makes the worker reconnect, which
      // declares the queue again and consumes anew, instead of sitting idle while every call is unroutable.
      this.logger.error('the broker cancelled the request consumer (was the queue deleted?); reconnecting');
      void this.channel.close().catch(() => undefined);
      return;
    }
    if (this.admit) {
      this.waitingRoom.push(msg);
      this.poke();
      return;
    }
    // Requests carrying credentials run no action (and must never be moved: the overflow queue is persistent).
    const isAction = this.overflow !== undefined && !fromCredentialsQueue && looksLikeAction(msg.content);
    if (!isAction || this.actionsHeld < this.overflow!.budget) void this.answer(msg, isAction, fromCredentialsQueue);
    else if (this.moving) void this.moveOrAnswer(msg, this.overflow!.mover);
    else this.park(msg, this.overflow!.mover);
  }

  private async answer(msg: ConsumeMessage, isAction: boolean, fromCredentialsQueue: boolean): Promise<void> {
    if (isAction) this.actionsHeld++;
    const settlement = await this.responder.answer(msg, fromCredentialsQueue);
    if (isAction) {
      this.actionsHeld--;
      this.moving = false;
      this.unpark();
    }
    this.settle(msg, settlement);
  }

  private park(msg: ConsumeMessage, mover: ActionOverflow): void {
    const timer = setTimeout(() => {
      // No room came: every parked action moves now, and later ones at once (see `moving`).
      this.moving = true;
      for (const entry of this.parked.splice(0)) {
        clearTimeout(entry.timer);
        void this.moveOrAnswer(entry.msg, mover);
      }
    }, PARK_MS);
    this.parked.push({ msg, timer });
  }

  /** Starts parked actions while there is room in the budget. */
  private unpark(): void {
    while (this.parked.length > 0 && this.actionsHeld < this.overflow!.budget) {
      const { msg, timer } = this.parked.shift()!;
      clearTimeout(timer);
      void this.answer(msg, true, false);
    }
  }

  private async moveOrAnswer(msg: ConsumeMessage, mover: ActionOverflow): Promise<void> {
    if (await mover.move(msg)) this.settle(msg, 'ack');
    else await this.answer(msg, true, false);
  }

  private settle(msg: ConsumeMessage, settlement: 'ack' | 'reject' | 'requeue'): void {
    try {
      if (settlement === 'ack') this.channel.ack(msg);
      else this.channel.nack(msg, false, settlement === 'requeue');
    } catch {
      // A closed channel cannot ack and need not: the broker requeues what it did not see acked, and the
      // Responder answers that redelivery from the run it already has, if it is still going.
    }
  }
}
