import type { MessageType } from '@nangohq/protocol';
import { NangoError } from './NangoError';

/**
 * The errors the transport raises itself, before or instead of a reply, each with its one canonical message.
 * Messages name what the caller can do about it, and whether the worker may have run the request.
 */
export const transportErrors = {
  notConnected: (type: MessageType) =>
    new NangoError('not_connected', `Cannot send ${type}: the client is not connected; await nango.connect() first.`),

  closed: (detail = 'the client was closed') =>
    new NangoError('client_closed', `The Nango client is closed (${detail}); create a new one to send more calls.`),

  /** The call was sent on a link that died: its reply can never arrive, but the worker may have run it. */
  connectionLost: (type: MessageType, why: string, cause?: unknown) =>
    new NangoError(
      'connection_lost',
      `The connection to RabbitMQ was lost (${why}) before the reply to ${type} arrived; the worker may have run it.`,
      { cause },
    ),

  /** Sent and unanswered, or never sent because the link did not come back in time (`lastAttempt` says why). */
  timeout: (type: MessageType, timeoutMs: number, queue: string, sent: boolean, lastAttempt: string | undefined) => {
    if (sent) {
      return new NangoError('timeout', `${type} got no reply within ${timeoutMs} ms. Is a worker consuming queue '${queue}'?`);
    }
    const last = lastAttempt ? ` (last attempt: ${lastAttempt})` : '';
    return new NangoError(
      'timeout',
      `${type} was not sent: the connection to RabbitMQ did not come back within ${timeoutMs} ms${last}.`,
    );
  },

  unroutable: (queue: string) =>
    new NangoError('unroutable', `No queue named '${queue}' on the broker: start the worker (npm start) or check NANGO_QUEUE.`),

  /** Nacked `times` times, the last one too close to the call's deadline to send it again; never received by a worker. */
  refusedByBroker: (type: MessageType, queue: string, times: number) =>
    new NangoError(
      'refused_by_broker',
      `The broker refused ${type} (negative publisher confirm${times > 1 ? `, ${times} times until the call's deadline` : ''}): ` +
        `queue '${queue}' may be full, between quorum leaders, or the broker short of resources; no worker received it.`,
    ),
};
