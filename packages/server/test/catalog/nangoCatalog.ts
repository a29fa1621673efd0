/**
 * Nango's published catalog, `@nangohq/providers` (Elastic License 2.0): a devDependency of this repository for the
 * tests that walk it, never imported by the server. Only its providers.yaml is read, as a user's
 * NANGO_PROVIDERS_FILE would be; none of its code runs.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** The package's providers.yaml, where npm installed it. */
export const NANGO_PROVIDERS_FILE = require.resolve('@nangohq/providers/providers.yaml');

/** The package's version, for reports. */
export const NANGO_PROVIDERS_VERSION = (
  JSON.parse(readFileSync(require.resolve('@nangohq/providers/package.json'), 'utf8')) as { version: string }
).version;

/** One entry as the file writes it. */
export type RawEntry = Record<string, unknown>;

/** The file parsed, entry by entry, in the file's order. */
export function readNangoCatalog(): Record<string, RawEntry> {
  return parse(readFileSync(NANGO_PROVIDERS_FILE, 'utf8'), { maxAliasCount: -1 }) as Record<string, RawEntry>;
}
