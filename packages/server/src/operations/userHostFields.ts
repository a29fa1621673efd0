import type { IntegrationConfig } from '../config/types';
import { userHostKeys, userHostProblem } from '../config/userHost';
import { WorkerError } from '../errors';
import { userHostFields } from '../oauth/flow/interpolateUrl';
import { closedValues } from '../providers/fieldDescriptions';
import type { Provider } from '../providers/Provider';

/**
 * The config keys of a Connection that make up a host the user types (config/userHost.ts): in the catalog entry's
 * base, authorization, token and refresh URLs, and in the integration's compiled base_url (integrations.yaml's own).
 */
export function userHostConfigKeys(provider: Provider | undefined, integration?: IntegrationConfig): Set<string> {
  const closed = closedValues(provider);
  const urls = [provider?.proxy?.base_url, provider?.authorization_url, provider?.token_url, provider?.refresh_url];
  const keys = new Set(urls.flatMap((url) => (typeof url === 'string' ? userHostFields(url, closed) : [])));
  for (const key of integration ? userHostKeys(integration.baseUrl) : []) keys.add(key);
  return keys;
}

/**
 * Why a value typed for a host key is not a host name (or the domain of one); undefined when it is. Checked when the
 * Connection is made, with its field's pattern (checkConnectionConfig), so a refused value reaches no provider.
 */
export function userHostValueProblem(value: string): string | undefined {
  const text = `https://${value}/`;
  if (value === '' || /[/?#@:\\\s]/.test(value) || !URL.canParse(text)) {
    return "is not a host name (labels of letters, digits and inner '-', separated by dots; no scheme, port or path)";
  }
  return userHostProblem(new URL(text));
}

/**
 * Refuses a config update that would move a Connection to another host its user types: such a host is fixed when
 * the Connection is made. Re-verifying the credentials against the new host would prove nothing (a host of an
 * attacker's choosing accepts any credentials), so the change is refused; to use another instance, make a new
 * Connection. A key that had no value may be given one once (an app that registered tokens sets it after).
 * @throws WorkerError `invalid_connection_config` naming the keys, never their values
 */
export function checkUserHostsKept(
  keys: ReadonlySet<string>,
  stored: Readonly<Record<string, unknown>>,
  next: Readonly<Record<string, unknown>>,
  where: (key: string) => string,
): void {
  const has = (config: Readonly<Record<string, unknown>>, key: string) =>
    Object.prototype.hasOwnProperty.call(config, key) && config[key] !== undefined && config[key] !== null && config[key] !== '';
  const moved = [...keys].filter((key) => has(stored, key) && (!has(next, key) || String(next[key]) !== String(stored[key])));
  if (moved.length === 0) return;
  throw new WorkerError(
    'invalid_connection_config',
    `${moved.map(where).join(', ')} make${moved.length === 1 ? 's' : ''} up the host this Connection's credentials are sent to, fixed when it was made: it cannot be changed or removed (make a new Connection for another instance)`,
  );
}
