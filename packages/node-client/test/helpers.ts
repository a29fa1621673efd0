import Nango, { type NangoClientOptions } from '@nangohq/node-client';
import { FakeBroker } from './fakeAmqp';

/** A client connected to a fresh fake broker. */
export async function connected(options: NangoClientOptions = {}): Promise<{ nango: Nango; broker: FakeBroker }> {
  const broker = new FakeBroker();
  const nango = new Nango({ queue: 'q', ...options }, broker.connect);
  await nango.connect();
  return { nango, broker };
}

/** Lets the client's publish run (methods are async, so the publish happens a tick after the call). */
export const tick = () => new Promise((resolve) => setImmediate(resolve));
