import type { AuthMode, StoredCredentials } from '@nangohq/protocol';
import { authModeHandler } from './handlers';
import { WorkerError } from '../errors';

/**
 * Checks credentials against the integration's auth mode and returns what is stored: the mode's fields (see its
 * handler: OAuth 2 `expires_at` as an ISO 8601 string, computed from `expires_in` when that is what was sent) plus
 * `raw`, exactly what the caller sent. Messages name fields, never values: these are secrets.
 * @throws WorkerError `invalid_credentials`
 */
export function normaliseCredentials(
  integration: string,
  authMode: AuthMode,
  raw: Record<string, unknown>,
  now: Date = new Date(),
): StoredCredentials {
  const handler = authModeHandler(authMode);
  const problems: string[] = [];
  const stored: StoredCredentials = { raw };
  for (const field of handler.requiredFields) {
    const value = raw[field];
    if (typeof value !== 'string' || value === '') problems.push(`${field} (a non-empty string) is required`);
    else stored[field] = value;
  }
  handler.normalise?.(raw, stored, problems, now);
  if (problems.length > 0) {
    throw new WorkerError('invalid_credentials', `Credentials for ${integration} (${authMode}): ${problems.join('; ')}`);
  }
  return stored;
}
