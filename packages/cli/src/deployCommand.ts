import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { isSyncClass } from '@nangohq/action/testing';
import { CliError, request } from './ApiClient';
import type { Command } from './Command';
import { compileFunctionFile, evaluateFunction } from './dryrun/loadFunctionClass';

/** Where our-format functions live when --integrations is not given, relative to the working directory. */
const DEFAULT_FOLDER = 'integrations';

/** One function of `POST /sync/deploy`'s flowConfigs (the official CLI's shape; see docs/functions.md). */
interface FlowConfig {
  syncName: string;
  providerConfigKey: string;
  type: 'action' | 'sync';
  version: string;
  models: string[];
  fileBody: { js: string; ts: string };
  metadata: Record<string, never>;
  attributes: Record<string, never>;
  models_json_schema: { definitions: Record<string, unknown> };
  runs?: string;
  auto_start?: boolean;
  sync_type?: 'full' | 'incremental';
  track_deletes?: boolean;
}

/** A sync as integrations.yaml declares it (docs/syncs.md); only what a deployment needs. */
interface SyncDeclaration {
  models?: Record<string, unknown>;
  frequency?: string;
  auto_start?: boolean;
  sync_type?: 'full' | 'incremental';
  track_deletes?: boolean;
}

/** A sync declared without a frequency runs as integrations.yaml's default says. */
const DEFAULT_FREQUENCY = 'every hour';

/** One line of the deploy reply. */
interface Deployed {
  name: string;
  providerConfigKey: string;
  deployment: number;
}

/**
 * `nango deploy [integration]`: compiles the our-format actions of integration folders and stores them on the server
 * as a deployment, through the route the official CLI deploys with, so every worker runs them with no file copied.
 */
export const DEPLOY_COMMAND: Command = {
  name: 'deploy',
  args: ['[integration]'],
  flags: [
    {
      name: 'integrations',
      value: '<dir>',
      summary: `the folder of <integration>/<name>.action.ts and .sync.ts files (default ./${DEFAULT_FOLDER})`,
    },
    {
      name: 'yaml',
      value: '<file>',
      summary: "the integrations.yaml declaring the syncs' models and frequency (default: beside the folder)",
    },
  ],
  summary: "Deploy the actions of integrations/ (every folder, or one integration's) to the server: no file to copy.",
  details:
    'Each <integration>/<name>.action.ts is compiled with esbuild (as the worker compiles it), loaded here once to\n' +
    "check it, and sent to POST /sync/deploy as one deployment replacing those integrations' deployed functions\n" +
    "(deployMode 'integration': other integrations' stay). The integrations must exist on the server. Syncs\n" +
    "(*.sync.ts) are not deployed: declare them in the server's integrations.yaml, with their models.",
  async run(settings, [only], print, flags) {
    const folder = resolve(typeof flags['integrations'] === 'string' ? flags['integrations'] : DEFAULT_FOLDER);
    const yamlFile = resolve(typeof flags['yaml'] === 'string' ? flags['yaml'] : join(dirname(folder), 'integrations.yaml'));
    const integrations = only === undefined ? integrationFolders(folder) : [only];
    const flowConfigs: FlowConfig[] = [];
    for (const integration of integrations) {
      const dir = join(folder, integration);
      if (!isFolder(dir)) throw new CliError(`no folder ${dir} for integration '${integration}'`, 2);
      for (const entry of readdirSync(dir).sort()) {
        const match = /^(.+)\.(action|sync)\.ts$/.exec(entry);
        if (!match) continue;
        const name = match[1] as string;
        const declaration = match[2] === 'sync' ? syncDeclaration(yamlFile, integration, name) : undefined;
        if (match[2] === 'sync' && declaration === undefined) {
          print(`Skipped ${integration}/${name}: a sync that ${yamlFile} does not declare (its models are needed)`);
          continue;
        }
        flowConfigs.push(await flowConfigOf(join(dir, entry), integration, name, declaration));
      }
    }
    if (flowConfigs.length === 0) {
      throw new CliError(`nothing to deploy in ${only === undefined ? folder : join(folder, only)}`, 2);
    }
    const body = { flowConfigs, onEventScriptsByProvider: [], deployMode: 'integration', reconcile: true, debug: false };
    const deployed = (await request(settings, 'POST', '/sync/deploy', body)) as Deployed[];
    for (const item of deployed) print(`Deployed ${item.providerConfigKey}/${item.name} (deployment ${item.deployment})`);
  },
};

/**
 * One function compiled, checked by loading it once here (a file that throws at load or exports no class fails now,
 * naming the file), in the shape of `POST /sync/deploy`'s flowConfigs; a sync with its declaration.
 * @throws CliError naming the file: it does not compile, does not load, or its class is not of its kind
 */
async function flowConfigOf(
  file: string,
  integration: string,
  name: string,
  declaration: SyncDeclaration | undefined,
): Promise<FlowConfig> {
  const kind = file.endsWith('.sync.ts') ? 'sync' : 'action';
  const js = await compileFunctionFile(file);
  if (isSyncClass(evaluateFunction(file, js)) !== (kind === 'sync')) {
    const expected = kind === 'sync' ? 'NangoSync' : 'NangoAction, not NangoSync';
    throw new CliError(`${file}: a .${kind}.ts file must export a class extending ${expected}`);
  }
  return {
    syncName: name,
    providerConfigKey: integration,
    type: kind,
    version: '1',
    models: Object.keys(declaration?.models ?? {}),
    fileBody: { js, ts: readFileSync(file, 'utf8') },
    metadata: {},
    attributes: {},
    models_json_schema: { definitions: declaration?.models ?? {} },
    ...(declaration && {
      runs: declaration.frequency ?? DEFAULT_FREQUENCY,
      auto_start: declaration.auto_start !== false,
      sync_type: declaration.sync_type === 'full' ? 'full' : 'incremental',
      track_deletes: declaration.track_deletes === true,
    }),
  };
}

/**
 * The declaration of sync `name` of `integration` in integrations.yaml, undefined when the file or the sync is not
 * there.
 * @throws CliError naming the file when it is not YAML
 */
function syncDeclaration(file: string, integration: string, name: string): SyncDeclaration | undefined {
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(`${file}: not YAML: ${(error as Error).message}`);
  }
  const integrations = (parsed as { integrations?: Record<string, { syncs?: Record<string, SyncDeclaration | null> }> })
    ?.integrations;
  const syncs = integrations?.[integration]?.syncs;
  if (!syncs || !(name in syncs)) return undefined;
  return syncs[name] ?? {};
}

/** The subfolders of the integrations folder that hold an action or sync file. */
function integrationFolders(folder: string): string[] {
  if (!isFolder(folder)) throw new CliError(`no integrations folder ${folder} (give one with --integrations)`, 2);
  return readdirSync(folder)
    .filter((entry) => isFolder(join(folder, entry)))
    .filter((entry) => readdirSync(join(folder, entry)).some((file) => /\.(action|sync)\.ts$/.test(file)))
    .sort();
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
