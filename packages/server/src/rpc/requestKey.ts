import { createHash } from 'node:crypto';
import type { RequestInfo } from './dispatch';

/**
 * What identifies one request across its deliveries: a SHA-256 of its correlation id and body, or undefined when it
 * has no correlation id (two callers' identical bodies are not one request). The body counts too, so a publisher
 * reusing a correlation id for another request is not taken for a redelivery. The correlation id is a random UUID
 * per call, which keeps the hash from telling anything of the body (it may carry credentials).
 */
export function requestKey(request: RequestInfo): string | undefined {
  if (request.correlationId === undefined || request.content === undefined) return undefined;
  return createHash('sha256').update(request.correlationId).update('\0').update(request.content).digest('hex');
}
