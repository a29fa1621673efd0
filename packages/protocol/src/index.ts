/**
 * The wire contract between the node client and the worker.
 *
 * Glossary:
 * - Integration: a third-party API (slack, github, ...) declared in integrations.yaml with its auth mode,
 *   base URL and actions.
 * - Connection: one user's link to one integration: their credentials plus the app's `additionalConfig`.
 *   Unique per (integration, userId).
 * - Action: a TypeScript file `integrations/<integration>/<action>.action.ts` whose class extends NangoAction;
 *   the worker runs it with the user's Connection injected.
 * - Message: one JSON request published by the client to the worker's queue, with a correlation id and a
 *   reply address (see messages.ts).
 * - Reply: the worker's answer on the reply address, `{ success, errorMsg, errorCode, returnValue, operationId? }`.
 */
export * from './coalesceWrites';
export * from './connection';
export * from './errorCodes';
export * from './messages';
export * from './otelRegistered';
export * from './redactUrl';
export * from './result';
export * from './schemas';
