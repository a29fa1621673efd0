#!/usr/bin/env node
import { boundHeap } from './heapBounds';
// First, before the worker's modules load: a server runs for weeks, its heap is bounded for that (see heapBounds).
boundHeap();
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config/loadIntegrationsConfig';
import { generateKey } from './encryption/Keyring';
import { SETTINGS_ENV } from './settings';
import { whenParentExits } from './whenParentExits';
import { Worker } from './Worker';

// Each command's module is loaded when that command runs, not by every start of the server: copy-store alone brings
// the PostgreSQL driver and both stores' copiers (docs/performance.md, start-up).
const commands = {
  copyStore: () => require('./commands/copyStore') as typeof import('./commands/copyStore'),
  migrateConfig: () => require('./commands/migrateConfig') as typeof import('./commands/migrateConfig'),
  rotateKey: () => require('./commands/rotateKey') as typeof import('./commands/rotateKey'),
  webhooks: () => require('./commands/webhooks') as typeof import('./commands/webhooks'),
};

const HELP = `nango-server: runs the Nango worker and its HTTP API.

It consumes requests from RabbitMQ, keeps Connections in SQLite (or PostgreSQL), runs
the actions declared in integrations.yaml, and serves the HTTP API (OAuth flows,
/config, /connection) with the frontend's WebSocket on NANGO_PORT.
Configure it with environment variables:

${SETTINGS_ENV.map(([name, fallback]) => `  ${name.padEnd(26)} default: ${fallback}`).join('\n')}

  NANGO_ENCRYPTION_KEY       default: a key file nango.key beside the database, made on first start
  NANGO_ENCRYPTION_OLD_KEYS  default: none (comma-separated keys that may still decrypt, during a rotation)

Commands:
  nango-server                run both: the RabbitMQ consumer and the HTTP API
  nango-server worker         run the RabbitMQ consumer only
  nango-server api            run the HTTP API only
  nango-server [worker|api] --integrations-dir <folder>
                              run on that folder (NANGO_INTEGRATIONS_DIR); a 2022
                              nango-integrations/ folder loads as it is, its integrations.yaml included
  nango-server generate-key   print a new random key for NANGO_ENCRYPTION_KEY
  nango-server rotate-key     re-encrypt every Connection with NANGO_ENCRYPTION_KEY (resumable)
  nango-server migrate-config <folder> [--out <file>]
                              print (or write, never overwriting) the integrations.yaml of a 2022
                              nango-integrations/ folder in our format
  nango-server copy-store --from <url> --to <url> [--resume]
                              copy everything the store keeps to another store, SQLite to
                              PostgreSQL or back (URLs: postgres://…, sqlite:<path> or a path);
                              refuses a non-empty target unless --resume continues a copy
  nango-server webhooks list [--state pending|delivered|failed] [--limit <n>] [--json]
                              the webhook delivery log, newest first
  nango-server webhooks replay <id>
                              send a delivered or failed webhook again (see webhooks --help)

Options:
  --help      show this help
  --version   print the version

Logs are JSON lines on stdout; pipe them through \`npx pino-pretty\` to read them.
SIGINT or SIGTERM stop it gracefully: requests in flight finish first. Started by
an npm script (npm start), it also stops when npm exits. Under a process manager,
run \`node packages/server/dist/cli.js\` itself, not npm start.`;

/** The roles of `nango-server worker` and `nango-server api`. */
const ROLES: Readonly<Record<string, { rpc: boolean; http: boolean }>> = {
  worker: { rpc: true, http: false },
  api: { rpc: false, http: true },
};

async function main(argv: string[]): Promise<number> {
  if ((argv.includes('--help') || argv.includes('-h')) && argv[0] !== 'webhooks') {
    console.log(HELP);
    return 0;
  }
  if (argv.includes('--version')) {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
    console.log(pkg.version);
    return 0;
  }
  if (argv[0] === 'generate-key' && argv.length === 1) {
    console.log(generateKey());
    return 0;
  }
  if (argv[0] === 'rotate-key' && argv.length === 1) {
    try {
      return await commands.rotateKey().rotateKey(process.env);
    } catch (error) {
      console.error(`nango-server rotate-key: ${(error as Error).message}`);
      return 1;
    }
  }
  if (argv[0] === 'copy-store') {
    const { copyStore, CopyStoreError } = commands.copyStore();
    try {
      return await copyStore(argv.slice(1));
    } catch (error) {
      console.error(`nango-server copy-store: ${(error as Error).message}`);
      return error instanceof CopyStoreError ? error.exitCode : 1;
    }
  }
  if (argv[0] === 'migrate-config') return commands.migrateConfig().runMigrateConfig(argv.slice(1));
  if (argv[0] === 'webhooks') {
    try {
      return await commands.webhooks().runWebhooksCommand(argv.slice(1), process.env);
    } catch (error) {
      console.error(`nango-server webhooks: ${(error as Error).message}`);
      return 1;
    }
  }
  const dirAt = argv.indexOf('--integrations-dir');
  if (dirAt !== -1) {
    const folder = argv[dirAt + 1];
    if (folder === undefined || folder.startsWith('--') || dirAt + 2 !== argv.length) {
      console.error('nango-server: --integrations-dir takes one folder; see --help');
      return 2;
    }
    process.env['NANGO_INTEGRATIONS_DIR'] = folder;
    argv = argv.slice(0, dirAt);
  }
  const roles = argv.length === 0 ? { rpc: true, http: true } : argv.length === 1 ? ROLES[argv[0] ?? ''] : undefined;
  if (!roles) {
    const command = ['generate-key', 'rotate-key', 'worker', 'api'].includes(argv[0] ?? '');
    const problem = command ? `${argv[0]} takes no arguments, got ${argv[1] ?? ''}` : `unknown argument ${argv[0] ?? ''}`;
    console.error(`nango-server: ${problem}; see --help`);
    return 2;
  }
  let worker: Worker;
  try {
    worker = await Worker.start({ roles });
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : `nango-server: ${(error as Error).message}`);
    return 1;
  }
  // Action code runs in this process: a promise it forgets to await, or a throw in its own timer callback, must
  // not take every other request down with it. The run itself has already been answered or will time out.
  process.on('unhandledRejection', (reason) =>
    worker.logger.error({ err: reason }, 'unhandled promise rejection (from an action?); the worker keeps running'),
  );
  process.on('uncaughtException', (error) =>
    worker.logger.error({ err: error }, 'uncaught exception (from an action?); the worker keeps running'),
  );
  await new Promise<void>((resolve) => {
    let stopWatching = () => {};
    const stop = (why: { signal: string } | { reason: string }) => {
      stopWatching();
      process.removeListener('SIGINT', onSignal).removeListener('SIGTERM', onSignal);
      worker.logger.info(why, 'stopping: finishing requests in flight');
      process.once('SIGINT', () => process.exit(130)); // a second Ctrl-C means now
      resolve();
    };
    const onSignal = (signal: string) => stop({ signal });
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    // Started by an npm script (`npm start`, `npx nango-server`): stop with npm even if the shell between us
    // swallowed its signal.
    if (process.env['npm_lifecycle_event'] !== undefined) {
      stopWatching = whenParentExits(() => stop({ reason: 'its parent process exited (npm was stopped)' }));
    }
  });
  await worker.stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error('nango-server: unexpected failure', error);
    process.exitCode = 1;
  },
);
