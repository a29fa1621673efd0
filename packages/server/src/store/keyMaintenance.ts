import type { CredentialCipher } from '../encryption/CredentialCipher';
import type { Store } from './Store';

/** Rows re-encrypted per transaction: small enough not to hold locks long, big enough to be quick. */
const BATCH = 500;

/**
 * Refuses to go on when the database records another key, or some Connections are encrypted with a key that is not
 * configured: started with a changed or missing key, the worker would fail on every one of them.
 * @throws Error saying which key ids are missing and what to do
 */
export async function checkKeys(store: Store, cipher: CredentialCipher, keySource: string): Promise<void> {
  const recorded = await store.keys.recordedKeyId();
  if (recorded !== undefined && !cipher.canDecrypt(recorded)) {
    throw new Error(
      `The database ${store.location} was encrypted with key ${recorded}, but the configured key (from ${keySource}) is ` +
        `${cipher.currentKeyId}. Set NANGO_ENCRYPTION_KEY to that key (or restore its key file), or add it to ` +
        'NANGO_ENCRYPTION_OLD_KEYS and run `nango-server rotate-key`.',
    );
  }
  const used = (await store.keys.keyIdsInUse()).filter((id) => !cipher.canDecrypt(id));
  if (used.length === 0) return;
  throw new Error(
    `Connections in ${store.location} are encrypted with key ${used.join(', ')}, but the configured key (from ${keySource}) is ` +
      `${cipher.currentKeyId}. Set NANGO_ENCRYPTION_KEY to the key that encrypted them (or restore its key file), or add ` +
      'it to NANGO_ENCRYPTION_OLD_KEYS and run `nango-server rotate-key`.',
  );
}

/**
 * Re-encrypts, with the current key, every Connection whose credentials are under another key or still in clear
 * (rows written before encryption). Works in batches and only ever picks rows not yet done, so it can be stopped
 * and run again. Returns how many rows it changed.
 */
export async function reencryptAll(
  store: Store,
  cipher: CredentialCipher,
  options: { plaintextOnly?: boolean; onProgress?: (done: number, total: number) => void } = {},
): Promise<number> {
  const { plaintextOnly = false, onProgress } = options;
  const total = await store.keys.countToReencrypt(cipher, plaintextOnly);
  let done = 0;
  onProgress?.(done, total);
  for (;;) {
    const changed = await store.keys.reencryptBatch(cipher, plaintextOnly, BATCH);
    if (changed === 0) return done;
    done += changed;
    onProgress?.(done, total);
  }
}
