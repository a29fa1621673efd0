import { MAX_CONNECTION_ID_LENGTH } from '@nangohq/protocol';
import { NUL_REFUSAL } from '../../nulPath';
import { OAuthFlowError } from './OAuthFlowError';

/** What /oauth/connect reads from its query (contract B.5): the official frontends' keys, nested ones flattened. */
export interface ConnectQuery {
  /** Required without a session token; forbidden with one (see authorizeConnect). */
  readonly connectionId: string | undefined;
  readonly wsClientId: string | undefined;
  readonly publicKey: string | undefined;
  /** `connect_session_token` (frontend 0.71 with a connect session): replaces public_key and connection_id. */
  readonly connectSessionToken: string | undefined;
  readonly hmac: string | undefined;
  /** `params[<name>]=<value>`: the Connection's config, also what fills templated provider URLs. */
  readonly params: Readonly<Record<string, string>>;
  /** `authorization_params[<name>]`: added to (or, with the value `undefined`, removed from) the authorize URL. */
  readonly authorizationParams: Readonly<Record<string, string | undefined>>;
  /** `user_scope`, a comma list (Slack's user-token scopes). */
  readonly userScope: readonly string[];
}

const PARAM_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const MAX_PARAMS = 50;
const MAX_VALUE = 1024;

/**
 * Reads the connect query as Fastify hands it over (node:querystring: `+` and percent-escapes decoded, so raw
 * `params[x]` from frontends 0.8/0.17 and encoded `params%5Bx%5D` from 0.71 both arrive as `params[x]`). A key
 * sent twice is refused rather than guessed at.
 * @throws OAuthFlowError `url_param_err`
 */
export function parseConnectQuery(query: Readonly<Record<string, unknown>>): ConnectQuery {
  const one = (name: string): string | undefined => {
    const value = query[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new OAuthFlowError('url_param_err', `${name} was given more than once`);
    if (value.length > MAX_VALUE) throw new OAuthFlowError('url_param_err', `${name} is longer than ${MAX_VALUE} characters`);
    // PostgreSQL cannot store U+0000 in text: refused here as at the HTTP door (api/nulCharacter.ts).
    if (value.includes('\u0000')) throw new OAuthFlowError('url_param_err', `${name} ${NUL_REFUSAL}`);
    return value;
  };
  const connectionId = one('connection_id') || undefined;
  // Characters as JSON Schema counts them (code points), as the other doors do.
  if (connectionId !== undefined && [...connectionId].length > MAX_CONNECTION_ID_LENGTH) {
    throw new OAuthFlowError('url_param_err', `connection_id is longer than ${MAX_CONNECTION_ID_LENGTH} characters`);
  }
  // No prototype: a param named __proto__ is just a param.
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  const authorizationParams = Object.create(null) as Record<string, string | undefined>;
  let count = 0;
  for (const key of Object.keys(query)) {
    const nested = /^(params|authorization_params)\[(.*)\]$/.exec(key);
    if (!nested) continue;
    const [, group, name = ''] = nested;
    if (!PARAM_NAME.test(name))
      throw new OAuthFlowError('url_param_err', `${group}[…] names must be 1-64 letters, digits, '.', '-' or '_'`);
    if (++count > MAX_PARAMS)
      throw new OAuthFlowError('url_param_err', `more than ${MAX_PARAMS} params[…] and authorization_params[…]`);
    const value = one(key) ?? '';
    if (group === 'params') params[name] = value;
    else authorizationParams[name] = value === 'undefined' ? undefined : value;
  }
  const userScope = (one('user_scope') ?? '')
    .split(',')
    .map((scope) => scope.trim())
    .filter(Boolean);
  return {
    connectionId,
    wsClientId: one('ws_client_id') || undefined,
    publicKey: one('public_key') || undefined,
    connectSessionToken: one('connect_session_token') || undefined,
    hmac: one('hmac') || undefined,
    params,
    authorizationParams,
    userScope,
  };
}
