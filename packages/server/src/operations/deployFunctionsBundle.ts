import { isDeepStrictEqual } from 'node:util';
import { WorkerError } from '../errors';
import type { DeployedFunction, FunctionDeploymentStore } from '../store/FunctionDeploymentStore';
import { checkFunctionsBundle, type FunctionsBundleBody } from './checkFunctionsBundle';
import type { OperationContext } from './OperationContext';

type Named = { integrationId: string; name: string };

/** What the functions-bundle routes answer (Nango's FunctionDeploymentBundleSuccess); the CLI prints it. */
export interface FunctionsBundleResult {
  created: Named[];
  updated: Named[];
  unchanged: Named[];
  deleted: Named[];
}

/**
 * What deploying the CLI's functions bundle would change, storing nothing
 * (POST /functions/deployments/bundle/preview).
 * @throws WorkerError `invalid_deployment`, `storage_error`
 */
export async function previewFunctionsBundle(
  context: OperationContext,
  store: FunctionDeploymentStore,
  body: FunctionsBundleBody,
): Promise<FunctionsBundleResult> {
  const { result } = await nextFunctions(context, store, body);
  return result;
}

/**
 * Stores the functions bundle in a new deployment version, with every sync, action and on-event function of the
 * active one kept: atomic as any deployment, a refused bundle leaves the previous version active
 * (POST /functions/deployments/bundle). A bundle that changes nothing stores no version.
 * @throws WorkerError `invalid_deployment`, `storage_error`
 */
export async function deployFunctionsBundle(
  context: OperationContext,
  store: FunctionDeploymentStore,
  body: FunctionsBundleBody,
): Promise<FunctionsBundleResult> {
  const { result, next } = await nextFunctions(context, store, body);
  if (result.created.length + result.updated.length + result.deleted.length > 0) await store.add(next);
  return result;
}

/**
 * The functions after this bundle: its `createFunction`s replace every one of the environment (scope `environment`)
 * or of one integration (scope `integration`); the legacy scripts stay as they are.
 */
async function nextFunctions(context: OperationContext, store: FunctionDeploymentStore, body: FunctionsBundleBody) {
  const incoming = checkFunctionsBundle(context, body);
  const loadProblems = (await context.deployed?.loadProblems(incoming, context.runner)) ?? [];
  if (loadProblems.length > 0) {
    throw new WorkerError('invalid_deployment', `The deployment was refused: ${loadProblems.join('; ')}`);
  }
  const version = await store.activeVersion();
  const previous = version === 0 ? [] : ((await store.get(version))?.functions ?? []);
  const scope = body.reconciliationScope;
  const replaced = (f: DeployedFunction) =>
    f.type === 'function' && (scope.kind === 'environment' || f.integration === scope.integrationId);
  const key = (f: DeployedFunction) => `${f.integration}/${f.name}`;
  const before = new Map(previous.filter(replaced).map((f) => [key(f), f]));
  const incomingKeys = new Set(incoming.map(key));
  const named = (f: DeployedFunction): Named => ({ integrationId: f.integration, name: f.name });
  const result: FunctionsBundleResult = { created: [], updated: [], unchanged: [], deleted: [] };
  for (const f of incoming) {
    const old = before.get(key(f));
    const list = !old ? result.created : isDeepStrictEqual(old, f) ? result.unchanged : result.updated;
    list.push(named(f));
  }
  result.deleted = [...before.values()].filter((f) => !incomingKeys.has(key(f))).map(named);
  return { result, next: [...previous.filter((f) => !replaced(f)), ...incoming] };
}
