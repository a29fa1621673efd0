/**
 * The catalog walk's plan: for every entry of Nango's catalog, its recipe (by auth mode), the Connection to make and
 * the connection_config values to give, and the integration to declare, checked the way the server checks
 * integrations.yaml before it is ever started (an entry the server would refuse there is a failure of stage `config`).
 */
import { stringify } from 'yaml';
import { ConfigError } from '../../src/ConfigError';
import { parseIntegrationsConfig } from '../../src/config/loadIntegrationsConfig';
import type { ProviderCatalog } from '../../src/providers/Provider';
import { configPlaceholders, resolvedEntry } from './catalogEntries';
import { configValue, type FieldSpec } from './fieldValues';
import type { RawEntry } from './nangoCatalog';
import { RECIPES } from './recipes';
import type { Recipe, WalkEntry } from './recipes/Recipe';

/** One entry's place in the walk. */
export type PlannedEntry =
  | { readonly kind: 'walk'; readonly walk: WalkEntry; readonly recipe: Recipe; readonly integration: Record<string, unknown> }
  | { readonly kind: 'unsupported'; readonly name: string; readonly mode: string }
  | { readonly kind: 'refused'; readonly name: string; readonly mode: string; readonly reason: string };

/** Every entry of `raw`, planned; `catalog` is the server's loaded (mocked) catalog, to check each integration. */
export function planWalk(raw: Readonly<Record<string, RawEntry>>, catalog: ProviderCatalog, dir: string): PlannedEntry[] {
  return Object.keys(raw).map((name) => {
    const entry = resolvedEntry(raw, name);
    const mode = String(entry['auth_mode']);
    const recipe = RECIPES[mode];
    if (!recipe) return { kind: 'unsupported', name, mode };
    const walk: WalkEntry = { name, mode, entry, connectionId: `walk-${name}`, params: paramsOf(name, entry) };
    const integration = { provider: name, ...recipe.integration(walk) };
    const reason = configProblems(name, integration, catalog, dir);
    return reason === undefined ? { kind: 'walk', walk, recipe, integration } : { kind: 'refused', name, mode, reason };
  });
}

/** integrations.yaml declaring every planned integration the server accepts. */
export function integrationsYaml(plan: readonly PlannedEntry[]): string {
  const integrations: Record<string, unknown> = {};
  for (const planned of plan) if (planned.kind === 'walk') integrations[planned.walk.name] = planned.integration;
  return stringify({ integrations });
}

/** The fields of an entry that its OAuth dance itself reads (a flow cannot start or finish without their values). */
const FLOW_FIELDS = ['authorization_url', 'token_url', 'request_url', 'authorization_params', 'token_params'];

/**
 * What the connect request carries: every field the entry declares but optional ones nothing uses, and those a
 * script fills after the connection (`automated`) unless the OAuth dance needs them (the app passes those, as it
 * would through a connect session's defaults); a hidden field with its default.
 */
function paramsOf(name: string, entry: RawEntry): Record<string, string> {
  const fields = (entry['connection_config'] ?? {}) as Record<string, FieldSpec & { hidden?: boolean }>;
  const used = configPlaceholders(entry);
  const flow = configPlaceholders(Object.fromEntries(FLOW_FIELDS.map((key) => [key, entry[key]])));
  const params: Record<string, string> = {};
  for (const [field, spec] of Object.entries(fields)) {
    if (typeof spec !== 'object' || spec === null) continue;
    if (spec.automated === true && !flow.has(field)) continue;
    if (spec.optional === true && !used.has(field)) continue;
    params[field] = configValue(spec, `${name}/${field}`);
  }
  return params;
}

/** The problems the server finds in the integration, as one line; undefined when it loads. */
function configProblems(name: string, integration: Record<string, unknown>, catalog: ProviderCatalog, dir: string) {
  try {
    parseIntegrationsConfig(stringify({ integrations: { [name]: integration } }), {
      sourceName: 'integrations.yaml',
      integrationsDir: dir,
      env: {},
      providers: catalog,
    });
    return undefined;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.join('; ');
  }
}
