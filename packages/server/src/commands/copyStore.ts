import { resolve } from 'node:path';
import { CredentialCipher } from '../encryption/CredentialCipher';
import { loadKeyring } from '../encryption/Keyring';
import { PgStore, redactUrl } from '../store/postgres/PgStore';
import { SqliteStore } from '../store/sqlite/SqliteStore';
import { underStartLock } from '../store/sqlite/underStartLock';
import { COPIED_TABLES, type Store, type StoredRow } from '../store/Store';
import { progressBar } from './rotateKey';

/** Rows read and written per transaction. */
const BATCH = 500;

const USAGE = 'usage: nango-server copy-store --from <url> --to <url> [--resume]';

/** Why copy-store refused to run: a usage error (exit 2) or a refusal about the stores (exit 1). */
export class CopyStoreError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

/**
 * `nango-server copy-store --from <url> --to <url> [--resume]`: copies everything a deployment keeps (Connections,
 * kept idempotency outcomes, the key fingerprint) from one store to another, SQLite to PostgreSQL or back, as stored:
 * ciphertexts stay ciphertexts, so no key is needed and none is exposed. A URL is `postgres://…`, `sqlite:<path>`
 * or a plain file path. A target that holds any row is refused unless `--resume` says it holds an interrupted copy:
 * then rows already there (by primary key) are skipped. Refresh locks and delivery counts are transient and stay.
 * Stop the workers first, or run it again with --resume once they are stopped, to catch what they wrote meanwhile.
 * @returns the process exit code
 * @throws CopyStoreError for bad arguments or a target that is not empty
 */
export async function copyStore(args: readonly string[], out: NodeJS.WriteStream = process.stderr): Promise<number> {
  const { from, to, resume } = parseArgs(args);
  // Raw rows need no key: this cipher only satisfies the stores' constructors and never sees a ciphertext.
  const cipher = new CredentialCipher(loadKeyring({}, ':memory:'));
  const source = await open(from, cipher);
  try {
    const target = await open(to, cipher);
    try {
      return await copy(source, target, resume, cipher, out);
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

async function copy(source: Store, target: Store, resume: boolean, cipher: CredentialCipher, out: NodeJS.WriteStream) {
  const plaintext = await source.keys.countToReencrypt(cipher, true);
  if (plaintext > 0) {
    throw new CopyStoreError(
      `${source.location} holds ${plaintext} Connection(s) stored in clear by an old version; start a worker on it once (it encrypts them), then copy`,
      1,
    );
  }
  const counts = await Promise.all(COPIED_TABLES.map(async (table) => [table, await target.rows.count(table)] as const));
  const present = counts.filter(([, count]) => count > 0);
  if (present.length > 0 && !resume) {
    const what = present.map(([table, count]) => `${count} row(s) in ${table}`).join(', ');
    throw new CopyStoreError(
      `The target ${target.location} is not empty (${what}); copy into an empty database, or pass --resume to continue an interrupted copy into it`,
      1,
    );
  }
  const sourceKey = await source.keys.recordedKeyId();
  const targetKey = await target.keys.recordedKeyId();
  if (targetKey !== undefined && sourceKey !== undefined && targetKey !== sourceKey) {
    throw new CopyStoreError(
      `The target records key ${targetKey} and the source key ${sourceKey}: these are different deployments`,
      1,
    );
  }
  let total = 0;
  for (const table of COPIED_TABLES) total += await source.rows.count(table);
  out.write(`Copying ${total} row(s) from ${source.location} to ${target.location}${resume ? ' (resuming)' : ''}\n`);
  const progress = progressBar(out);
  let done = 0;
  let written = 0;
  progress(done, total);
  for (const table of COPIED_TABLES) {
    let after: StoredRow | undefined;
    for (;;) {
      const rows = await source.rows.read(table, after, BATCH);
      if (rows.length === 0) break;
      written += await target.rows.write(table, rows);
      done += rows.length;
      progress(Math.min(done, total), total);
      after = rows[rows.length - 1];
    }
  }
  out.write(`\nDone: ${written} row(s) written, ${done - written} already there.\n`);
  if (sourceKey !== undefined) {
    out.write(
      `Workers on ${target.location} need the key these credentials are encrypted with (key id ${sourceKey}): the same NANGO_ENCRYPTION_KEY, or, from SQLite, the content of the nango.key file beside the database.\n`,
    );
  }
  return 0;
}

function parseArgs(args: readonly string[]): { from: string; to: string; resume: boolean } {
  let from: string | undefined;
  let to: string | undefined;
  let resume = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--from' || arg === '--to') {
      const value = args[++i];
      if (value === undefined || value.startsWith('--')) throw new CopyStoreError(`${arg} needs a URL; ${USAGE}`, 2);
      if (arg === '--from') from = value;
      else to = value;
    } else if (arg === '--resume') resume = true;
    else throw new CopyStoreError(`unknown argument ${arg ?? ''}; ${USAGE}`, 2);
  }
  if (from === undefined || to === undefined) throw new CopyStoreError(`--from and --to are both needed; ${USAGE}`, 2);
  if (describe(from) === describe(to)) throw new CopyStoreError('--from and --to name the same store', 2);
  return { from, to, resume };
}

/** A store URL: PostgreSQL, or a SQLite file (sqlite:<path> or a path). */
function describe(url: string): string {
  return /^postgres(ql)?:\/\//.test(url) ? redactUrl(url) : resolve(url.replace(/^sqlite:(\/\/(?=\/))?/, ''));
}

async function open(url: string, cipher: CredentialCipher): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(url)) return PgStore.open(url, cipher, { poolSize: 2 });
  const path = describe(url);
  return underStartLock(path, async () => new SqliteStore(path, cipher));
}
