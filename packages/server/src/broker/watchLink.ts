import type * as amqp from 'amqplib';

/** Whether one recovering broker connection is up, as its own events say. */
export interface LinkWatch {
  /** The connection's name in logs (`requests`, `replies`, ...). */
  readonly name: string;
  /** True from each (re)connection, its setup done, until the connection drops or is closed. */
  readonly up: boolean;
}

/**
 * Follows a connection from connectBroker, which resolves once it is up: amqplib's recovery emits `connect` after
 * the setup of a new underlying connection ran (so the consumers are there again), and `disconnect` as soon as
 * it drops. A closed model emits neither, but a closed worker answers nothing anyway.
 */
export function watchLink(name: string, model: amqp.RecoveringChannelModel): LinkWatch {
  const link = { name, up: true };
  model.on('connect', () => (link.up = true));
  model.on('disconnect', () => (link.up = false));
  return link;
}
