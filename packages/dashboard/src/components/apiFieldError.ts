import { ApiError } from '../api';

/** How a form's field is recognised in a server error: by error code, or by the body path a validation names. */
export interface FieldRule {
  field: string;
  /** Codes that are always about this field (`integration_exists` is about the unique key). */
  codes?: string[];
  /** Body paths (`unique_key`, `credentials/client_id`) as the server's `invalid_request` messages name them. */
  paths?: string[];
}

/**
 * The field a server error is about, with its message, so the form can show it next to that field; null when the
 * error names none of the form's fields (the page then shows it above the form). Rules are tried in order.
 */
export function apiFieldError(error: unknown, rules: FieldRule[]): { field: string; message: string } | null {
  if (!(error instanceof ApiError)) return null;
  for (const rule of rules) {
    if (rule.codes?.includes(error.code)) return { field: rule.field, message: error.message };
  }
  if (error.code !== 'invalid_request') return null;
  for (const rule of rules) {
    const named = rule.paths?.some((path) => namesPath(error.message, path));
    if (named) return { field: rule.field, message: error.message };
  }
  return null;
}

/**
 * Fastify's schema errors read `body/credentials/client_id must be string`; the routes' own checks start with the
 * path in dotted form (`credentials.type: …`, `credentials: …`).
 */
function namesPath(message: string, path: string): boolean {
  const dotted = path.replace(/\//g, '.');
  const slashed = new RegExp(`(^|[\\s;])body/${escape(path)}(?![\\w/])`);
  return slashed.test(message) || message.startsWith(`${dotted}:`) || message.startsWith(`${dotted}.`);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
