/**
 * Compact JSON with object keys sorted at every level, as Nango serialises webhooks (contract E.1): the bytes are
 * the same for the same body whatever order its fields were set in, and a receiver that re-serialises the parsed
 * body with `JSON.stringify` (the deprecated `verifyWebhookSignature`) gets them back as long as it keeps that order.
 * `undefined` fields are left out, as JSON.stringify leaves them.
 */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value; // Date and the like
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const field = (value as Record<string, unknown>)[key];
    if (field !== undefined) sorted[key] = sortKeys(field);
  }
  return sorted;
}
