import { WorkerError } from '../errors';
import type { DeployedFunction, FunctionDeploymentStore } from '../store/FunctionDeploymentStore';
import { checkDeployment, type CliDeployBody } from './checkDeployment';
import type { OperationContext } from './OperationContext';

/** A sync as the CLI's plan lists it (Nango's SlimSync). */
interface SlimSync {
  name: string;
  providerConfigKey: string;
  auto_start: boolean;
  connections: number;
}

/** What POST /sync/deploy/confirmation answers (Nango's ScriptDifferences): the plan the CLI prints. */
export interface DeploymentPlan {
  newSyncs: SlimSync[];
  updatedSyncs: SlimSync[];
  deletedSyncs: SlimSync[];
  newActions: { name: string; providerConfigKey: string }[];
  updatedActions: { name: string; providerConfigKey: string }[];
  deletedActions: { name: string; providerConfigKey: string }[];
  newOnEventScripts: { name: string; providerConfigKey: string; event: string }[];
  updatedOnEventScripts: { name: string; providerConfigKey: string; event: string }[];
  deletedOnEventScripts: { name: string; providerConfigKey: string; event: string }[];
  deletedModels: string[];
}

/** One deployed function as POST /sync/deploy answers (Nango's SyncDeploymentResult; the CLI prints name@vversion). */
export interface DeploymentResult {
  name: string;
  version: string;
  providerConfigKey: string;
  type: DeployedFunction['type'];
  /** Our deployment's version (GET /functions/deployments lists them). */
  deployment: number;
}

/**
 * What a deployment would change, without storing anything (POST /sync/deploy/confirmation).
 * @throws WorkerError `invalid_deployment`, `storage_error`
 */
export async function planDeployment(
  context: OperationContext,
  store: FunctionDeploymentStore,
  body: CliDeployBody,
): Promise<DeploymentPlan> {
  const { previous, next } = await nextFunctions(context, store, body);
  return differences(previous, next);
}

/**
 * Stores a deployment as a new version, which becomes the active one at once (one insert); a refused one leaves the
 * previous version active (POST /sync/deploy).
 * @throws WorkerError `invalid_deployment`, `storage_error`
 */
export async function deployFunctions(
  context: OperationContext,
  store: FunctionDeploymentStore,
  body: CliDeployBody,
): Promise<DeploymentResult[]> {
  const { incoming, next } = await nextFunctions(context, store, body);
  const deployment = await store.add(next);
  return incoming.map(({ name, version, integration, type }) => ({
    name,
    version,
    providerConfigKey: integration,
    type,
    deployment: deployment.version,
  }));
}

/**
 * The functions after this deployment: all of them replace the active set (`nango deploy`), or only one
 * integration's (`--integration`, deployMode `integration`), or only the named ones (`--action`, `--sync`,
 * singleDeployMode, or `reconcile: false`: nothing is deleted).
 */
async function nextFunctions(context: OperationContext, store: FunctionDeploymentStore, body: CliDeployBody) {
  const incoming = checkDeployment(context, body);
  const loadProblems = (await context.deployed?.loadProblems(incoming, context.runner)) ?? [];
  if (loadProblems.length > 0) {
    throw new WorkerError('invalid_deployment', `The deployment was refused: ${loadProblems.join('; ')}`);
  }
  const version = await store.activeVersion();
  const previous = version === 0 ? [] : ((await store.get(version))?.functions ?? []);
  const key = (f: DeployedFunction) => `${f.type}:${f.integration}/${f.name}`;
  const incomingKeys = new Set(incoming.map(key));
  const integrations = new Set(incoming.map((f) => f.integration));
  const mode = body.singleDeployMode === true || body.reconcile === false ? 'single' : (body.deployMode ?? 'all');
  // The functions bundle's `createFunction`s are deployed by their own routes (deployFunctionsBundle): kept here.
  const kept = previous.filter(
    (f) =>
      f.type === 'function' ||
      (mode !== 'all' && (mode === 'single' ? !incomingKeys.has(key(f)) : !integrations.has(f.integration))),
  );
  return { incoming, previous, next: [...kept, ...incoming] };
}

function differences(previous: readonly DeployedFunction[], next: readonly DeployedFunction[]): DeploymentPlan {
  const key = (f: DeployedFunction) => `${f.type}:${f.integration}/${f.name}`;
  const before = new Map(previous.map((f) => [key(f), f]));
  const after = new Map(next.map((f) => [key(f), f]));
  const created = next.filter((f) => !before.has(key(f)));
  const updated = next.filter((f) => before.has(key(f)));
  const deleted = previous.filter((f) => !after.has(key(f)));
  const syncs = (list: DeployedFunction[]) =>
    list
      .filter((f) => f.type === 'sync')
      .map((f) => ({ name: f.name, providerConfigKey: f.integration, auto_start: f.autoStart, connections: 0 }));
  const actions = (list: DeployedFunction[]) =>
    list.filter((f) => f.type === 'action').map((f) => ({ name: f.name, providerConfigKey: f.integration }));
  const onEvents = (list: DeployedFunction[]) =>
    list
      .filter((f) => f.type === 'on-event')
      .map((f) => ({ name: f.name, providerConfigKey: f.integration, event: f.event ?? '' }));
  const modelsOf = (list: readonly DeployedFunction[]) => new Set(list.filter((f) => f.type === 'sync').flatMap((f) => f.models));
  const nextModels = modelsOf(next);
  return {
    newSyncs: syncs(created),
    updatedSyncs: syncs(updated),
    deletedSyncs: syncs(deleted),
    newActions: actions(created),
    updatedActions: actions(updated),
    deletedActions: actions(deleted),
    newOnEventScripts: onEvents(created),
    updatedOnEventScripts: onEvents(updated),
    deletedOnEventScripts: onEvents(deleted),
    deletedModels: [...modelsOf(previous)].filter((model) => !nextModels.has(model)),
  };
}

/**
 * Makes an earlier deployment's functions the active ones again, as a new version (so the list keeps the history).
 * @throws WorkerError `not_found` when that version does not exist, `storage_error`
 */
export async function rollbackDeployment(store: FunctionDeploymentStore, version: number): Promise<number> {
  const deployment = await store.get(version);
  if (!deployment) throw new WorkerError('not_found', `No deployment of functions has version ${version}`);
  return (await store.add(deployment.functions, version)).version;
}
