#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config/loadIntegrationsConfig';
import { SETTINGS_ENV } from './settings';
import { Worker } from './Worker';

const HELP = `nango-server: runs the Nango worker.

It consumes requests from RabbitMQ, keeps Connections in SQLite and runs the
actions declared in integrations.yaml. Configure it with environment variables:

${SETTINGS_ENV.map(([name, fallback]) => `  ${name.padEnd(26)} default: ${fallback}`).join('\n')}

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
  const unknown = argv.filter((arg) => arg.startsWith('-'));
  if (unknown.length > 0 || argv.length > 0) {
    console.error(`nango-server: unknown argument ${argv[0] ?? ''}; see --help`);
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
