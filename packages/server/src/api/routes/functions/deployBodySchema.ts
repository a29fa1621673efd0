/**
 * The body of POST /sync/deploy and its confirmation, as far as the route checks it: the operation
 * (checkDeployment) checks each function and names every problem.
 */
export const DEPLOY_BODY_SCHEMA = {
  type: 'object',
  required: ['flowConfigs'],
  properties: {
    flowConfigs: { type: 'array', items: { type: 'object' } },
    onEventScriptsByProvider: { type: 'array', items: { type: 'object' } },
    reconcile: { type: 'boolean' },
    debug: { type: 'boolean' },
    singleDeployMode: { type: 'boolean' },
    deployMode: { type: 'string', enum: ['single', 'integration', 'all'] },
    jsonSchema: { type: 'object' },
    sdkVersion: { type: 'string' },
    nangoYamlBody: { type: 'string' },
  },
} as const;

/** Largest deployment accepted: compiled bundles with inline source maps add up. */
export const DEPLOY_BODY_LIMIT = 64 * 1024 * 1024;
