import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { ActionConfig, IntegrationConfig } from '../config/types';
import type { DeployedFunction, FunctionDeploymentStore } from '../store/FunctionDeploymentStore';
import { describeError } from '../describeError';
import type { ActionLoader } from './ActionLoader';
import type { ActionRunner } from './ActionRunner';

/**
 * Where deployed functions seem to live: no file is ever written there. A bundle's `require('zod')` resolves from
 * this folder, that is from the server's own packages (zod is one of its dependencies, as Nango's runner gives it).
 */
export const DEPLOYED_ROOT = resolve(__dirname, '..', '..', 'deployed');

/** Heap cap of a deployed function's sandbox, in MB (integrations.yaml's action_memory_mb default). */
export const DEPLOYED_MEMORY_MB = 256;

/** Time a deployed function's bundle may take to load when a deployment is checked. */
const LOAD_CHECK_MS = 10_000;

/**
 * The functions the official `nango deploy` stored, as the runner sees them: each deployed action becomes an
 * ActionConfig whose file exists only in the ActionLoader's cache, with the CLI's compiled bundle wrapped so the
 * sandbox runs it through `@nangohq/action`'s actionFromFunction. The active version is read from the store before
 * each lookup (one small query), so every worker runs the newest deployment without a file on its disk; a run in
 * flight keeps the code it loaded.
 */
export class DeployedFunctions {
  private current: { version: number; functions: readonly DeployedFunction[] } | undefined;

  constructor(
    private readonly store: FunctionDeploymentStore,
    private readonly loader: ActionLoader,
  ) {}

  /**
   * The deployed action `name` of `integration`, ready for ActionRunner.run, if the active deployment has one.
   * @throws WorkerError `storage_error`
   */
  async action(integration: IntegrationConfig, name: string): Promise<ActionConfig | undefined> {
    const { version, functions } = await this.active();
    const mine = functions.filter((f) => isCallable(f) && f.integration === integration.name && f.name === name);
    // A legacy action wins over a `createFunction` of the same name (deployed by the other route).
    const deployed = mine.find((f) => f.type === 'action') ?? mine[0];
    if (!deployed) return undefined;
    const file = join(DEPLOYED_ROOT, `v${version}`, integration.name, `${name}.${deployed.type}.cjs`);
    const shown = `deployed function ${integration.name}/${name} (deployment ${version})`;
    this.loader.provide(file, shown, wrapBundle(deployed.type, deployed.js, `${integration.name}.${name}`));
    return {
      name,
      file,
      timeoutMs: integration.actionTimeoutMs,
      memoryMb: DEPLOYED_MEMORY_MB,
      ...(deployed.description !== undefined && { description: deployed.description }),
      ...(deployed.inputSchema !== undefined && { inputSchema: deployed.inputSchema }),
    };
  }

  /** The names of the deployed actions of `integration` (for an `unknown_action` message). */
  async actionNames(integration: string): Promise<string[]> {
    const { functions } = await this.active();
    return [...new Set(functions.filter((f) => isCallable(f) && f.integration === integration).map((f) => f.name))];
  }

  /** Every deployed action of `integration`, ready to run (for the MCP server's tools, operations/listCallableActions). */
  async actions(integration: IntegrationConfig): Promise<ActionConfig[]> {
    const names = await this.actionNames(integration.name);
    const found = await Promise.all(names.map((name) => this.action(integration, name)));
    return found.filter((action): action is ActionConfig => action !== undefined);
  }

  /**
   * What goes wrong when each function of a deployment is loaded as a run would load it (its bundle
   * evaluated in a sandbox and wrapped, never run): a bundle that throws at load or exports no function is refused
   * before it can replace the active version. One message per function that fails, naming it.
   */
  async loadProblems(functions: readonly DeployedFunction[], runner: ActionRunner): Promise<string[]> {
    const folder = join(DEPLOYED_ROOT, 'check', randomUUID());
    const problems: string[] = [];
    try {
      for (const deployed of functions) {
        const file = join(folder, deployed.integration, `${deployed.name}.${deployed.type}.cjs`);
        const shown = `deployed ${deployed.type} ${deployed.integration}/${deployed.name}`;
        this.loader.provide(file, shown, wrapBundle(deployed.type, deployed.js, `${deployed.integration}.${deployed.name}`));
        await runner.checkLoad(file, DEPLOYED_MEMORY_MB, LOAD_CHECK_MS).catch((error: unknown) => {
          // Node's "Require stack" names files under the server's folder: the deployer gets the cause without them.
          const message = describeError(error).split('\nRequire stack:')[0]?.split(DEPLOYED_ROOT).join('deployed') ?? '';
          problems.push(message.includes(shown) ? message : `${shown}: ${message}`);
        });
      }
    } finally {
      this.loader.forgetUnder(folder + '/');
    }
    return problems;
  }

  /**
   * The deployed on-event functions of `integration` for `event` (`post-connection-creation`, …), ready for
   * ActionRunner.run with no input, each bundle wrapped through `@nangohq/action`'s onEventFromFunction; in the order
   * the deployment lists them.
   * @throws WorkerError `storage_error`
   */
  async onEvents(integration: IntegrationConfig, event: string): Promise<ActionConfig[]> {
    return (await this.onEventsOf(integration)).get(event) ?? [];
  }

  /**
   * Every deployed on-event function of `integration`, by event, from one read of the active version (a Connection's
   * save asks for two events at once).
   * @throws WorkerError `storage_error`
   */
  async onEventsOf(integration: IntegrationConfig): Promise<Map<string, ActionConfig[]>> {
    const { version, functions } = await this.active();
    const byEvent = new Map<string, ActionConfig[]>();
    for (const deployed of functions) {
      if (deployed.type !== 'on-event' || deployed.integration !== integration.name || deployed.event === undefined) continue;
      // Its own folder: an on-event function may share its name with an action of the same integration.
      const file = join(DEPLOYED_ROOT, `v${version}`, integration.name, 'on-event', `${deployed.name}.cjs`);
      const shown = `deployed on-event function ${integration.name}/${deployed.name} (deployment ${version})`;
      this.loader.provide(file, shown, wrapBundle('on-event', deployed.js, `${integration.name}.${deployed.name}`));
      const handler = { name: deployed.name, file, timeoutMs: integration.actionTimeoutMs, memoryMb: DEPLOYED_MEMORY_MB };
      byEvent.set(deployed.event, [...(byEvent.get(deployed.event) ?? []), handler]);
    }
    return byEvent;
  }

  private async active(): Promise<{ version: number; functions: readonly DeployedFunction[] }> {
    const version = await this.store.activeVersion();
    if (this.current?.version !== version) {
      const previous = this.current?.version;
      const deployment = version === 0 ? undefined : await this.store.get(version);
      this.current = { version, functions: deployment?.functions ?? [] };
      if (previous !== undefined) this.loader.forgetUnder(join(DEPLOYED_ROOT, `v${previous}`) + '/');
    }
    return this.current;
  }
}

/**
 * Whether a deployed function runs as an action (triggerAction, the MCP tools): a legacy action, or a `createFunction`
 * with no external trigger (`kind: 'none'`, invoked on a Connection). An HTTP-triggered one is only stored.
 */
function isCallable(f: DeployedFunction): boolean {
  if (f.type === 'action') return true;
  return f.type === 'function' && (f.definition?.['trigger'] as { kind?: unknown } | undefined)?.kind === 'none';
}

/**
 * The CLI's bundle, its exports then turned into the class the sandbox runs: an action (actionFromFunction), a
 * NangoSync (syncFromFunction), an on-event function (onEventFromFunction) or an invoked `createFunction`
 * (invokeFromFunction), all of `@nangohq/action`.
 */
export function wrapBundle(kind: DeployedFunction['type'], js: string, name: string): string {
  const wrapper = {
    action: 'actionFromFunction',
    sync: 'syncFromFunction',
    'on-event': 'onEventFromFunction',
    function: 'invokeFromFunction',
  }[kind];
  return `${js}\n;module.exports = require('@nangohq/action').${wrapper}(module.exports, ${JSON.stringify(name)});\n`;
}
