/**
 * The catalog walk: Nango's catalog with its URLs pointed at one local mock, one server with an integration per
 * entry, and one Connection per entry connected through the server's routes by its mode's recipe, 8 at a time; then
 * one GET through /proxy per Connection, which must reach the mock with the Connection's credentials.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadProviderCatalog } from '../../src/providers/loadProviderCatalog';
import { startApi, type ApiHarness } from '../helpers/apiHarness';
import { CatalogMock } from './CatalogMock';
import { resolvedEntry } from './catalogEntries';
import { resolveEveryHostToLoopback } from './loopbackDns';
import { mockedEntry, soleHostOwners } from './mockUrls';
import { NANGO_PROVIDERS_VERSION, readNangoCatalog } from './nangoCatalog';
import { refusal, WalkFailure, type WalkContext, type WalkEntry, type Recipe } from './recipes/Recipe';
import { integrationsYaml, planWalk } from './walkEntries';
import { reportOf, type EntryOutcome, type WalkReport } from './walkReport';

/** Connections made at the same time. */
const IN_FLIGHT = 8;

export interface WalkResult {
  readonly report: WalkReport;
  readonly outcomes: readonly EntryOutcome[];
  /** Entries of the mocked catalog the server's loader took, against those of the file. */
  readonly loaded: number;
  readonly total: number;
}

/** Runs the whole walk and stops everything it started, whatever happens. */
export async function walkCatalog(): Promise<WalkResult> {
  const raw = readNangoCatalog();
  const dir = mkdtempSync(join(tmpdir(), 'nango-catalog-walk-'));
  const restoreDns = resolveEveryHostToLoopback();
  let mock: CatalogMock | undefined;
  let api: ApiHarness | undefined;
  try {
    mock = await CatalogMock.start(
      (name) => (raw[name] === undefined ? undefined : resolvedEntry(raw, name)),
      soleHostOwners(raw),
    );
    const port = mock.port;
    const providersFile = join(dir, 'providers.yaml');
    const mocked = Object.fromEntries(Object.entries(raw).map(([name, entry]) => [name, mockedEntry(name, entry, port)]));
    writeFileSync(providersFile, stringify(mocked));
    const catalog = loadProviderCatalog({ file: providersFile });
    const plan = planWalk(raw, catalog, dir);
    const walks = plan.flatMap((planned) => (planned.kind === 'walk' ? [planned] : []));

    const started = Date.now();
    // One client makes every call of the walk: the per-client rate limit would stop it, not what is measured.
    // Every host resolves to the mock on 127.0.0.1 (loopbackDns.ts): hosts the user types must be let through.
    api = await startApi({ yaml: integrationsYaml(plan), providersFile, apiRateLimit: 1_000_000, allowPrivateHosts: true });
    const startMs = Date.now() - started;
    const context: WalkContext = { api, mock };

    const walkStarted = Date.now();
    const walked = await inPool(walks, IN_FLIGHT, ({ walk, recipe }) => walkOne(walk, recipe, context));
    const walkMs = Date.now() - walkStarted;
    const outcomes: EntryOutcome[] = [
      ...walked,
      ...plan.flatMap((planned): EntryOutcome[] => {
        if (planned.kind === 'unsupported') return [{ name: planned.name, mode: planned.mode, outcome: 'unsupported' }];
        if (planned.kind === 'refused') {
          return [{ name: planned.name, mode: planned.mode, outcome: 'failed', stage: 'config', reason: planned.reason }];
        }
        return [];
      }),
    ];
    const report = reportOf(outcomes, {
      catalogVersion: NANGO_PROVIDERS_VERSION,
      startMs,
      walkMs,
      integrations: walks.length,
    });
    const loaded = Object.keys(raw).filter((name) => catalog.get(name) !== undefined).length;
    return { report, outcomes, loaded, total: Object.keys(raw).length };
  } finally {
    await api?.stop();
    await mock?.stop();
    restoreDns();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function walkOne(walk: WalkEntry, recipe: Recipe, context: WalkContext): Promise<EntryOutcome> {
  const { name, mode } = walk;
  let carried: string | undefined;
  try {
    carried = (await recipe.connect(walk, context)).carried;
  } catch (error) {
    if (!(error instanceof WalkFailure)) throw error;
    return { name, mode, outcome: 'failed', stage: error.stage, reason: error.message };
  }
  const proxyFailure = await proxiedCall(walk, carried, context);
  return proxyFailure === undefined ? { name, mode, outcome: 'proxied' } : { name, mode, outcome: 'connected', proxyFailure };
}

/** A GET through /proxy for the Connection; undefined when the mock answered it and saw the credentials. */
async function proxiedCall(walk: WalkEntry, carried: string | undefined, context: WalkContext): Promise<string | undefined> {
  const got = await context.api.call('/proxy/catalog-walk', {
    headers: { 'connection-id': walk.connectionId, 'provider-config-key': walk.name },
  });
  if (got.status !== 200) return refusal(got.status, got.body);
  if (carried !== undefined && context.mock.apiHitsCarrying(carried).length === 0) {
    return 'the proxied call reached the API without the Connection’s credentials';
  }
  return undefined;
}

/** `run` over every item, at most `size` at a time, results in the items' order. */
async function inPool<T, R>(items: readonly T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, lane));
  return results;
}
