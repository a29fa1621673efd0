import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** One AES-256 key and its id: the first 16 hex digits of its SHA-256, so a ciphertext names its key, not the key. */
export interface EncryptionKey {
  readonly id: string;
  readonly bytes: Buffer;
}

/** The key that encrypts, and every key that may still decrypt. */
export interface Keyring {
  readonly current: EncryptionKey;
  readonly byId: ReadonlyMap<string, EncryptionKey>;
  /** Where the current key came from, for the logs: never the key itself. */
  readonly source: string;
  /** True when this start created the key file. */
  readonly created: boolean;
}

/** Name of the key file made beside the database when NANGO_ENCRYPTION_KEY is not set. */
export const KEY_FILE_NAME = 'nango.key';

/**
 * Builds the keyring from NANGO_ENCRYPTION_KEY (base64 of 32 bytes) and NANGO_ENCRYPTION_OLD_KEYS (comma-separated,
 * readable only). Without NANGO_ENCRYPTION_KEY the key lives in a file beside the database, created on first start
 * with mode 0600; an in-memory database gets a key of its own that dies with it. Credentials are never stored in
 * clear, so there is always a key.
 * @throws Error naming the variable or file with a bad key
 */
export function loadKeyring(env: NodeJS.ProcessEnv, dbPath: string, options: { mayCreate?: boolean } = {}): Keyring {
  const old = (env['NANGO_ENCRYPTION_OLD_KEYS'] ?? '')
    .split(',')
    .map((text) => text.trim())
    .filter(Boolean)
    .map((text, index) => parseKey(text, `NANGO_ENCRYPTION_OLD_KEYS (entry ${index + 1})`));
  const fromEnv = env['NANGO_ENCRYPTION_KEY'];
  let current: EncryptionKey;
  let source: string;
  let created = false;
  if (fromEnv) {
    current = parseKey(fromEnv, 'NANGO_ENCRYPTION_KEY');
    source = 'NANGO_ENCRYPTION_KEY';
  } else if (dbPath === ':memory:') {
    current = toKey(randomBytes(32));
    source = 'an in-memory key (in-memory database)';
  } else {
    const file = join(dirname(dbPath), KEY_FILE_NAME);
    if (!existsSync(file)) {
      if (options.mayCreate === false) {
        throw new Error(
          `The key file ${file} is missing, and the database was encrypted with a key: restore the file or set NANGO_ENCRYPTION_KEY`,
        );
      }
      created = createKeyFile(file);
    }
    chmodSync(file, 0o600);
    current = parseKey(readFileSync(file, 'utf8').trim(), file);
    source = file;
  }
  const byId = new Map<string, EncryptionKey>([...old, current].map((key) => [key.id, key]));
  return { current, byId, source, created };
}

/**
 * Writes a new key to a temporary file and links it into place, so that of two workers starting together exactly
 * one creates the key and the other reads a complete file. Returns false when another process won.
 */
function createKeyFile(file: string): boolean {
  mkdirSync(dirname(file), { recursive: true }); // first start: the database's folder may not exist yet
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(temporary, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  try {
    linkSync(temporary, file);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw error;
    return false;
  } finally {
    unlinkSync(temporary);
  }
}

/** A fresh random key, base64: what to put in NANGO_ENCRYPTION_KEY. */
export function generateKey(): string {
  return randomBytes(32).toString('base64');
}

function parseKey(text: string, where: string): EncryptionKey {
  const bytes = Buffer.from(text.trim(), 'base64');
  if (bytes.length !== 32 || bytes.toString('base64') !== text.trim()) {
    throw new Error(`${where} must be 32 bytes in base64 (44 characters); make one with: nango-server generate-key`);
  }
  return toKey(bytes);
}

function toKey(bytes: Buffer): EncryptionKey {
  return { id: createHash('sha256').update(bytes).digest('hex').slice(0, 16), bytes };
}
