import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
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
  type: 'action';
  version: string;
  models: string[];
  fileBody: { js: string; ts: string };
  metadata: Record<string, never>;
  attributes: Record<string, never>;
  models_json_schema: { definitions: Record<string, never> };
}

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
      summary: `the folder of <integration>/<action>.action.ts files (default ./${DEFAULT_FOLDER})`,
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
    const integrations = only === undefined ? integrationFolders(folder) : [only];
    const flowConfigs: FlowConfig[] = [];
    for (const integration of integrations) {
      const dir = join(folder, integration);
      if (!isFolder(dir)) throw new CliError(`no folder ${dir} for integration '${integration}'`, 2);
      for (const entry of readdirSync(dir).sort()) {
        const match = /^(.+)\.(action|sync)\.ts$/.exec(entry);
        if (!match) continue;
        const skipped = `Skipped ${integration}/${match[1]}: a sync, declared in the server's integrations.yaml, not deployed`;
        if (match[2] === 'sync') {
          print(skipped);
          continue;
        }
        const file = join(dir, entry);
        const js = await compileFunctionFile(file);
        // Loaded here once: a file that throws at load or exports no class fails now, naming the file.
        if (isSyncClass(evaluateFunction(file, js))) {
          print(skipped);
          continue;
        }
        flowConfigs.push({
          syncName: match[1] as string,
          providerConfigKey: integration,
          type: 'action',
          version: '1',
          models: [],
          fileBody: { js, ts: readFileSync(file, 'utf8') },
          metadata: {},
          attributes: {},
          models_json_schema: { definitions: {} },
        });
      }
    }
    if (flowConfigs.length === 0) {
      throw new CliError(`no *.action.ts to deploy in ${only === undefined ? folder : join(folder, only)}`, 2);
    }
    const body = { flowConfigs, onEventScriptsByProvider: [], deployMode: 'integration', reconcile: true, debug: false };
    const deployed = (await request(settings, 'POST', '/sync/deploy', body)) as Deployed[];
    for (const item of deployed) print(`Deployed ${item.providerConfigKey}/${item.name} (deployment ${item.deployment})`);
  },
};

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
