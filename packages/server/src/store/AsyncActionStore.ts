/**
 * Async actions (POST /action/trigger with X-Async: true): queued, run, retried and their outcome kept until it
 * expires, in the `async_actions` table; input and outcome sealed with the credential cipher. SQLite and PostgreSQL
 * implement it alike.
 * OWNER: the actions helper (branch h-actions) defines the methods.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AsyncActionStore {}
