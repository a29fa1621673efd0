import type { Channel } from 'amqplib';
import { ON_EVENT_TYPES, type OnEventType } from '@nangohq/action';
import { onEventQueue } from '../broker/queueNames';
import type { OnEventRun } from '../operations/OnEventQueue';

/** Declares the on-event queue; the processes that publish (any door) and the workers that consume declare it alike. */
export async function declareOnEventQueue(channel: Channel, queue: string, queueType: 'classic' | 'quorum'): Promise<string> {
  const name = onEventQueue(queue);
  await channel.assertQueue(name, { durable: true, arguments: { 'x-queue-type': queueType } });
  return name;
}

/** A run as a message body: `{ event, integration, userId, parentId? }` as JSON. */
export function encodeOnEventRun(run: OnEventRun): Buffer {
  const { event, integration, userId, parentId } = run;
  return Buffer.from(JSON.stringify({ event, integration, userId, ...(parentId !== undefined && { parentId }) }));
}

/** The run a message body holds, or the reason it holds none (for the log: the body is never quoted). */
export function decodeOnEventRun(content: Buffer): OnEventRun | string {
  let body: unknown;
  try {
    body = JSON.parse(content.toString('utf8'));
  } catch {
    return 'not JSON';
  }
  if (typeof body !== 'object' || body === null) return 'not an object';
  const { event, integration, userId, parentId } = body as Record<string, unknown>;
  if (!(ON_EVENT_TYPES as readonly unknown[]).includes(event)) return `event is not one of ${ON_EVENT_TYPES.join(', ')}`;
  if (typeof integration !== 'string' || integration === '') return 'integration is not a non-empty string';
  if (typeof userId !== 'string' || userId === '') return 'userId is not a non-empty string';
  if (parentId !== undefined && typeof parentId !== 'string') return 'parentId is not a string';
  return { event: event as OnEventType, integration, userId, ...(parentId !== undefined && { parentId }) };
}
