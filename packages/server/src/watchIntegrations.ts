import type { Logger } from './logger';

/** How long to wait for a burst of file events (an editor's save, a git checkout) to end. */
const SETTLE_MS = 100;

/**
 * Calls `reload` once after every burst of changes to integrations.yaml or anything under the integrations
 * folder. Resolves when watching has started; the returned function stops it.
 */
export async function watchIntegrations(paths: string[], reload: () => void, logger: Logger): Promise<() => Promise<void>> {
  // chokidar loads only when watching is on (NANGO_WATCH), not with every start of a server that does not watch.
  const { watch } = require('chokidar') as typeof import('chokidar');
  const watcher = watch(paths, { ignoreInitial: true, ignored: (path) => path.includes('node_modules') });
  let timer: NodeJS.Timeout | undefined;
  watcher.on('all', () => {
    clearTimeout(timer);
    timer = setTimeout(reload, SETTLE_MS);
  });
  watcher.on('error', (error) => logger.warn({ err: error }, 'file watcher error; hot reload may miss changes'));
  await new Promise<void>((resolve) => watcher.once('ready', resolve));
  return async () => {
    clearTimeout(timer);
    await watcher.close();
  };
}
