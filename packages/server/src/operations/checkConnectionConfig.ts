import { WorkerError } from '../errors';
import type { Provider } from '../providers/Provider';
import { connectionConfigFields, describeField, isRequired, valueProblem } from '../providers/fieldDescriptions';
import { userHostConfigKeys, userHostValueProblem } from './userHostFields';

/** How a door checks a Connection's config against its catalog entry's `connection_config` fields. */
export interface ConfigCheck {
  /** A key as the door's caller wrote it: `params[subdomain]`, `additionalConfig.subdomain`, `body/connection_config/subdomain`. */
  readonly where: (key: string) => string;
  /**
   * The connect doors (/oauth/connect, /api-auth, /auth): every field the catalog requires must be given, and
   * defaults are filled in. The others (registerConnection, POST /connections, updateConnectionConfig) check only the
   * values given: an app registering tokens it got elsewhere may set the rest later.
   */
  readonly complete: boolean;
}

/**
 * Checks the per-tenant values of a Connection against its catalog entry's `connection_config` (see
 * FieldDescription): each value given must match its field's allowed values, format and pattern, and a value that
 * makes up a host of the entry's URLs (a host the user types, config/userHost.ts) must be a host name; with `complete`,
 * each required field (not optional, not automated, without default) must be given and defaults are filled in.
 * Keys the catalog does not describe (the app's own metadata) pass as they are.
 * @returns the config to store: `config` itself, or with `complete` a copy with the defaults added
 * @throws WorkerError `invalid_connection_config` naming each field, its title and its rule, never a value
 */
export function checkConnectionConfig(
  provider: Provider | undefined,
  config: Readonly<Record<string, unknown>>,
  check: ConfigCheck,
): Readonly<Record<string, unknown>> {
  const fields = connectionConfigFields(provider);
  if (fields.length === 0) return config;
  const problems: string[] = [];
  const hostKeys = userHostConfigKeys(provider);
  const filled: Record<string, unknown> = check.complete ? { ...config } : {};
  for (const field of fields) {
    const given = Object.prototype.hasOwnProperty.call(config, field.name) ? config[field.name] : undefined;
    const name = describeField(field, check.where(field.name));
    if (given === undefined || given === null || given === '') {
      if (!check.complete) continue;
      if (field.default_value !== undefined) filled[field.name] = field.default_value;
      else if (isRequired(field)) problems.push(`${name} is required${hintOf(field)}`);
      continue;
    }
    if (typeof given !== 'string' && typeof given !== 'number' && typeof given !== 'boolean') {
      problems.push(`${name} must be text, not ${Array.isArray(given) ? 'an array' : 'an object'}`);
      continue;
    }
    const problem =
      valueProblem(field, String(given)) ?? (hostKeys.has(field.name) ? userHostValueProblem(String(given)) : undefined);
    if (problem) problems.push(`${name} ${problem}`);
  }
  if (problems.length > 0) {
    const who = provider ? ` for ${provider.display_name ?? provider.name}` : '';
    throw new WorkerError('invalid_connection_config', `The connection config${who} is not valid: ${problems.join('; ')}`);
  }
  return check.complete ? filled : config;
}

/** `: <description>, e.g. <example>`, what a person needs to find the value. */
function hintOf(field: { description?: string; example?: string; secret?: boolean }): string {
  const example = field.example !== undefined && field.secret !== true ? `e.g. ${field.example}` : '';
  const parts = [field.description?.replace(/\.$/, ''), example].filter(Boolean);
  return parts.length > 0 ? `: ${parts.join(', ')}` : '';
}
