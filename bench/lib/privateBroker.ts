// A RabbitMQ node of the bench's own (test/privateBroker.ts: own name, ports, data folder and cookie), for figures
// that need the broker to themselves, such as its CPU per call. Prints one JSON line { url, pidFile } when it
// accepts logins, and stops the node and deletes its folder when its stdin closes (or the parent dies).
//   node -r ts-node/register/transpile-only bench/lib/privateBroker.ts
import { join, dirname } from 'node:path';
import { startPrivateBroker } from '../../test/privateBroker';

async function main(): Promise<void> {
  const broker = await startPrivateBroker();
  process.stdout.write(`${JSON.stringify({ url: broker.url, pidFile: join(dirname(broker.dataDir), 'node.pid') })}\n`);
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.once('end', resolve).once('close', resolve));
  await broker.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
