/**
 * Nango's published catalog (@nangohq/providers) walked entry by entry: every URL pointed at one local mock, one
 * Connection per entry connected through our routes as the official frontend would (walkCatalog.ts). Prints the
 * report per auth mode (and writes it as JSON where NANGO_CATALOG_WALK_REPORT names a file); fails when an entry of a
 * mode we run does not connect, unless exclusions.ts names it with the reason.
 */
import { writeFileSync } from 'node:fs';
import { EXCLUDED } from './exclusions';
import { walkCatalog, type WalkResult } from './walkCatalog';
import { reportText } from './walkReport';

/** The catalog's auth modes this server runs: every entry of these must connect. */
const RUN_MODES = [
  'OAUTH2',
  'OAUTH1',
  'API_KEY',
  'BASIC',
  'NONE',
  'TBA',
  'OAUTH2_CC',
  'SIGNATURE',
  'BILL',
  'TWO_STEP',
  'JWT',
  'MCP_OAUTH2',
  'MCP_OAUTH2_GENERIC',
];

jest.setTimeout(180_000);

let result: WalkResult;
beforeAll(async () => {
  result = await walkCatalog();
  process.stdout.write(`${reportText(result.report)}\n`);
  const file = process.env['NANGO_CATALOG_WALK_REPORT'];
  if (file) writeFileSync(file, JSON.stringify({ ...result.report, outcomes: result.outcomes }, null, 2));
});

describe("the walk of Nango's catalog", () => {
  it('loads every entry of the mocked copy through NANGO_PROVIDERS_FILE', () => {
    expect(result.total).toBeGreaterThan(900);
    expect(result.loaded).toBe(result.total);
  });

  it.each(RUN_MODES)('connects every %s entry but the excluded ones, and the excluded ones only fail', (mode) => {
    const entries = result.outcomes.filter((entry) => entry.mode === mode);
    expect(entries.length).toBeGreaterThan(0);
    const unexpected = entries
      .filter((entry) => entry.outcome === 'failed' && !EXCLUDED.has(entry.name))
      .map((entry) => (entry.outcome === 'failed' ? `${entry.name}: ${entry.stage}: ${entry.reason}` : entry.name));
    expect(unexpected).toEqual([]);
    // An excluded entry that connects now: take it off the list.
    const stale = entries.filter((entry) => entry.outcome !== 'failed' && EXCLUDED.has(entry.name)).map((entry) => entry.name);
    expect(stale).toEqual([]);
    const connected = entries.filter((entry) => entry.outcome === 'connected' || entry.outcome === 'proxied').length;
    const excluded = entries.filter((entry) => EXCLUDED.has(entry.name)).length;
    expect(connected).toBe(entries.length - excluded);
  });

  it('names only entries of the catalog in the exclusions', () => {
    const names = new Set(result.outcomes.map((entry) => entry.name));
    expect([...EXCLUDED.keys()].filter((name) => !names.has(name))).toEqual([]);
  });
});
