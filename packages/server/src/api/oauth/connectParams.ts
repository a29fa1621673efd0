import { WorkerError } from '../../errors';
import { OAuthFlowError } from '../../oauth/flow/OAuthFlowError';
import { checkConnectionConfig } from '../../operations/checkConnectionConfig';
import type { Provider } from '../../providers/Provider';

/**
 * The `params[…]` of a connect request (/oauth/connect, /api-auth, /auth), checked against the integration's catalog
 * entry (its `connection_config`: every required field given, each value within its pattern, format and allowed
 * values) and with the catalog's defaults filled in. Called before any redirect, token request or verification, so a
 * refused request reaches no provider and stores nothing.
 * @throws OAuthFlowError `invalid_connection_config` naming each field and its rule
 */
export function connectParams(
  provider: Provider | undefined,
  params: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> {
  let checked: Readonly<Record<string, unknown>>;
  try {
    checked = checkConnectionConfig(provider, params, { where: (key) => `params[${key}]`, complete: true });
  } catch (error) {
    if (error instanceof WorkerError) throw new OAuthFlowError('invalid_connection_config', error.message);
    throw error;
  }
  // No prototype, as parseConnectQuery's: a param named __proto__ is just a param.
  const result = Object.create(null) as Record<string, string>;
  for (const [key, value] of Object.entries(checked)) result[key] = String(value);
  return result;
}
