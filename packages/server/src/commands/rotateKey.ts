import { resolveWorkerSettings } from '../settings';
import { recordKeyId, reencryptAll, scrubFreedPages } from '../store/keyMaintenance';
import { reencryptIntegrationSecrets } from '../store/integrationKeys';
import { openStore } from '../store/openStore';

/**
 * `nango-server rotate-key`: re-encrypts every Connection with NANGO_ENCRYPTION_KEY, reading the old ciphertexts
 * with NANGO_ENCRYPTION_OLD_KEYS. Safe to stop and run again (only rows not yet under the current key are
 * touched) and to run beside live workers that have both keys configured.
 * @returns the process exit code
 */
export function rotateKey(env: NodeJS.ProcessEnv, out: NodeJS.WriteStream = process.stderr): number {
  const settings = resolveWorkerSettings(env);
  const { store, cipher, keyring } = openStore(env, settings.dbPath);
  try {
    out.write(`Re-encrypting the credentials in ${settings.dbPath} with key ${cipher.currentKeyId} (from ${keyring.source})\n`);
    const done = reencryptAll(store.database, cipher, { onProgress: progressBar(out) });
    const secrets = reencryptIntegrationSecrets(store.database, cipher);
    recordKeyId(store.database, cipher.currentKeyId);
    scrubFreedPages(store.database); // the old ciphertexts go too: a key is often rotated because it leaked
    out.write(
      `\nDone: ${done} Connection(s) re-encrypted (and ${secrets} integration secret(s)). Old keys can now be removed from NANGO_ENCRYPTION_OLD_KEYS.\n`,
    );
    return 0;
  } finally {
    store.close();
  }
}

/** A bar that redraws in place on a terminal, and prints a line every tenth elsewhere (CI logs, files). */
function progressBar(out: NodeJS.WriteStream): (done: number, total: number) => void {
  let lastTenth = -1;
  return (done, total) => {
    const fraction = total === 0 ? 1 : done / total;
    const line = `[${'#'.repeat(Math.round(fraction * 30)).padEnd(30, '.')}] ${(fraction * 100).toFixed(0).padStart(3)}% ${done}/${total}`;
    if (out.isTTY) out.write(`\r${line}`);
    else if (Math.floor(fraction * 10) > lastTenth) {
      lastTenth = Math.floor(fraction * 10);
      out.write(`${line}\n`);
    }
  };
}
