/**
 * The body of POST /functions/deployments/bundle and its preview, as far as the route checks it: the operation
 * (checkFunctionsBundle) checks each function and names every problem.
 */
export const FUNCTIONS_BUNDLE_SCHEMA = {
  type: 'object',
  required: ['reconciliationScope', 'functions'],
  properties: {
    reconciliationScope: {
      type: 'object',
      required: ['kind'],
      properties: { kind: { type: 'string', enum: ['environment', 'integration'] }, integrationId: { type: 'string' } },
    },
    functions: { type: 'array', items: { type: 'object' } },
  },
} as const;
