import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { WorkerError } from '../errors';
import type { Keyring } from './Keyring';

/** Format tag of a ciphertext; a later format gets a new one. */
const VERSION = 'v1';

/** AES-GCM's 96-bit IV. */
const IV_BYTES = 12;
/** Random bytes drawn at a time for IVs: 341 IVs. */
const IV_POOL_BYTES = IV_BYTES * 341;

/**
 * Plaintexts of recent ciphertexts kept per generation (two generations: at most twice this many). Every action run,
 * proxy miss and lookup opens its Connection's credentials; one decryption is 10–15 µs of CPU on a warm core and up
 * to 60 µs on a cold one (docs/performance.md, "The action run path").
 */
const OPENED_PER_GENERATION = 512;

/** A ciphertext as stored: which key made it, and the text. */
export interface Sealed {
  keyId: string;
  text: string;
}

/**
 * AES-256-GCM for credentials: a random 96-bit IV per value, and the Connection's uuid as associated data, so a
 * ciphertext copied into another row does not decrypt. Stored as `v1:<key id>:<iv>:<tag>:<data>` (base64 parts).
 */
export class CredentialCipher {
  /** Random bytes not yet handed out as IVs, and where the next IV starts in them. */
  private ivPool = Buffer.alloc(0);
  private ivOffset = 0;
  /**
   * Plaintexts of ciphertexts opened lately, by row uuid and ciphertext. Exact, not a staleness window: AES-GCM with
   * its IV and tag in the text makes one text always open to the same plaintext, a text that authenticated once
   * always will, and a changed credential is a new text (a new IV). A text copied into another row is looked up
   * under that row's uuid, misses, and fails to authenticate as before. Two generations: when the newer fills, it
   * becomes the older and the oldest is dropped whole (no per-entry eviction on the hot path).
   */
  private opened = new Map<string, string>();
  private openedBefore = new Map<string, string>();

  constructor(private readonly keyring: Keyring) {}

  /** Id of the key new ciphertexts are made with. */
  get currentKeyId(): string {
    return this.keyring.current.id;
  }

  /** Whether a key id can be decrypted with the configured keys. */
  canDecrypt(keyId: string): boolean {
    return this.keyring.byId.has(keyId);
  }

  /** Encrypts `plain` for the row whose uuid is `boundTo`, with the current key. */
  seal(plain: string, boundTo: string): Sealed {
    const { id, bytes } = this.keyring.current;
    const iv = this.nextIv();
    const cipher = createCipheriv('aes-256-gcm', bytes, iv);
    cipher.setAAD(Buffer.from(boundTo, 'utf8'));
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const parts = [VERSION, id, iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')];
    return { keyId: id, text: parts.join(':') };
  }

  /**
   * A fresh random IV. They are cut from a buffer of CSPRNG output drawn a few KiB at a time: one call into OpenSSL
   * per 341 seals rather than one each, which measured at ~7 µs of a ~25 µs seal (a batch of sync records seals every
   * payload). Each refill is a new buffer, so no IV handed out is ever overwritten, and none is handed out twice.
   */
  private nextIv(): Buffer {
    if (this.ivOffset + IV_BYTES > this.ivPool.length) {
      this.ivPool = randomBytes(IV_POOL_BYTES);
      this.ivOffset = 0;
    }
    const iv = this.ivPool.subarray(this.ivOffset, this.ivOffset + IV_BYTES);
    this.ivOffset += IV_BYTES;
    return iv;
  }

  /**
   * Decrypts a ciphertext made for the row whose uuid is `boundTo`.
   * @throws WorkerError `storage_error` when its key is not configured or it does not authenticate (tampered,
   *   moved from another row, or not a ciphertext); the message never holds plaintext
   */
  open(text: string, boundTo: string): string {
    const cacheKey = `${boundTo}\n${text}`;
    const recent = this.opened.get(cacheKey) ?? this.openedBefore.get(cacheKey);
    if (recent !== undefined) return recent;
    const plain = this.decrypt(text, boundTo);
    if (this.opened.size >= OPENED_PER_GENERATION) {
      this.openedBefore = this.opened;
      this.opened = new Map();
    }
    this.opened.set(cacheKey, plain);
    return plain;
  }

  private decrypt(text: string, boundTo: string): string {
    const [version, keyId, iv, tag, data] = text.split(':');
    if (version !== VERSION || !keyId || !iv || !tag || data === undefined) {
      throw new WorkerError('storage_error', `The credentials of Connection ${boundTo} are not in a known encrypted format`);
    }
    const key = this.keyring.byId.get(keyId);
    if (!key) {
      throw new WorkerError(
        'storage_error',
        `The credentials of Connection ${boundTo} are encrypted with key ${keyId}, which is not configured (add it to NANGO_ENCRYPTION_OLD_KEYS)`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.bytes, Buffer.from(iv, 'base64'));
      decipher.setAAD(Buffer.from(boundTo, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new WorkerError(
        'storage_error',
        `The credentials of Connection ${boundTo} do not authenticate with key ${keyId}: tampered or moved from another row`,
      );
    }
  }
}
