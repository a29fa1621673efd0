#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyStore, CopyStoreError } from './commands/copyStore';
import { rotateKey } from './commands/rotateKey';
import { ConfigError } from './config/loadIntegrationsConfig';
import { generateKey } from './encryption/Keyring';
import { SETTINGS_ENV } from './settings';
import { Worker } from './Worker';

const HELP = `nango-server: runs the Nango worker.

It consumes requests from RabbitMQ, keeps Connections in SQLite (or PostgreSQL) and runs the
actions declared in integrations.yaml. Configure it with environment variables:

${SETTINGS_ENV.map(([name, fallback]) => `  ${name.padEnd(26)} default: ${fallback}`).join('\n')}

  NANGO_ENCRYPTION_KEY       default: a key file nango.key beside the database, made on first start
  NANGO_ENCRYPTION_OLD_KEYS  default: none (comma-separated keys that may still decrypt, during a rotation)

Commands:
  nango-server                run the worker
  nango-server generate-key   print a new random key for NANGO_ENCRYPTION_KEY
  nango-server rotate-key     re-encrypt every Connection with NANGO_ENCRYPTION_KEY (resumable)
  nango-server copy-store --from <url> --to <url> [--resume]
                              copy everything the store keeps to another store, SQLite to
                              PostgreSQL or back (URLs: postgres://…, sqlite:<path> or a path);
                              refuses a non-empty target unless --resume continues a copy

Options:
  --help      show this help
  --version   print the version

Logs are JSON lines on stdout; pipe them through \`npx pino-pretty\` to read them.
SIGINT or SIGTERM stop it gracefully: requests in flight finish first.`;

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
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
      return await rotateKey(process.env);
    } catch (error) {
      console.error(`nango-server rotate-key: ${(error as Error).message}`);
      return 1;
    }
  }
  if (argv[0] === 'copy-store') {
    try {
      return await copyStore(argv.slice(1));
    } catch (error) {
      console.error(`nango-server copy-store: ${(error as Error).message}`);
      return error instanceof CopyStoreError ? error.exitCode : 1;
    }
  }
  if (argv.length > 0) {
    const command = argv[0] === 'generate-key' || argv[0] === 'rotate-key';
    const problem = command ? `${argv[0]} takes no arguments, got ${argv[1] ?? ''}` : `unknown argument ${argv[0] ?? ''}`;
    console.error(`nango-server: ${problem}; see --help`);
    return 2;
  }
  let worker: Worker;
  try {
    worker = await Worker.start();
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
    const onSignal = (signal: string) => {
      worker.logger.info({ signal }, 'stopping: finishing requests in flight');
      process.once('SIGINT', () => process.exit(130)); // a second Ctrl-C means now
      resolve();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
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
