import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PREBUILT_DIR } from './prebuiltValidators';

/** What a built data file holds: the data, and the hash of the source text it was made from. */
interface BuiltData {
  fingerprint: string;
  data: unknown;
}

/** The fingerprint of a source text: its SHA-256. */
export function textFingerprint(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The data `npm run build` made from `sourceText` (parsed and checked then, see commands/writePrebuilt.ts), or
 * undefined when there is none or it was made from another text (the source changed since the build): the caller
 * then parses the source itself.
 * @param dir where built data is looked for (tests point it at their own folder)
 */
export function readPrebuiltData(name: string, sourceText: string, dir: string = PREBUILT_DIR): unknown {
  let built: BuiltData;
  try {
    built = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as BuiltData;
  } catch {
    return undefined; // none built (running from src/), or unreadable: parse the source
  }
  return built.fingerprint === textFingerprint(sourceText) ? built.data : undefined;
}

/** Writes the data made from `sourceText` for readPrebuiltData, whole or not at all (a rename). */
export function writePrebuiltData(name: string, sourceText: string, data: unknown, dir: string = PREBUILT_DIR): void {
  const file = join(dir, `${name}.json`);
  const built: BuiltData = { fingerprint: textFingerprint(sourceText), data };
  writeFileSync(`${file}.tmp`, JSON.stringify(built));
  renameSync(`${file}.tmp`, file);
}
