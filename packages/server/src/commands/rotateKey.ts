import { resolveWorkerSettings, storeTarget } from '../settings';
import { reencryptAll } from '../store/keyMaintenance';
import { openStore } from '../store/openStore';

/**
 * `nango-server rotate-key`: re-encrypts every Connection with NANGO_ENCRYPTION_KEY, reading the old ciphertexts
 * with NANGO_ENCRYPTION_OLD_KEYS. Safe to stop and run again (only rows not yet under the current key are
 * touched) and to run beside live workers that have both keys configured.
 * @returns the process exit code
 */
export async function rotateKey(env: NodeJS.ProcessEnv, out: NodeJS.WriteStream = process.stderr): Promise<number> {
  const settings = resolveWorkerSettings(env);
  const { store, cipher, keyring } = await openStore(env, storeTarget(settings));
  try {
    out.write(`Re-encrypting the credentials in ${store.location} with key ${cipher.currentKeyId} (from ${keyring.source})\n`);
    const done = await reencryptAll(store, cipher, { onProgress: progressBar(out) });
    const secrets = await store.integrations.reencrypt(cipher);
    let records = 0;
    for (;;) {
      const changed = await store.records.reencryptBatch(cipher, 1_000);
      if (changed === 0) break;
      records += changed;
    }
    await store.oauthSessions.dropSealedWithOtherKeys(cipher.currentKeyId);
    await store.mcpClients.dropSealedWithOtherKeys(cipher.currentKeyId); // the next MCP flow registers again
    await store.keys.recordKeyId(cipher.currentKeyId);
    await store.keys.scrub(); // the old ciphertexts go too: a key is often rotated because it leaked
    out.write(
      `\nDone: ${done} Connection(s) re-encrypted (and ${secrets} integration secret(s), ${records} sync record(s)). Old keys can now be removed from NANGO_ENCRYPTION_OLD_KEYS.\n`,
    );
    return 0;
  } finally {
    await store.close();
  }
}

/** A bar that redraws in place on a terminal, and prints a line every tenth elsewhere (CI logs, files). */
export function progressBar(out: NodeJS.WriteStream): (done: number, total: number) => void {
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
