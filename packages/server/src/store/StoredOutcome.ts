/**
 * The outcome of a call as a store keeps it: the result's JSON, or the error it ended with. Idempotency keys and async
 * actions both keep one; it sits below Store and AsyncActionStore so that neither imports the other for it.
 */
export type StoredOutcome = { ok: true; json: string | undefined } | { ok: false; code: string; message: string };
