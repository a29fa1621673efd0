import type { IntegrationConfig } from '../config/types';
import type { OutgoingRequest } from './AuthModeHandler';
import { setCredentialHeader } from './credentialField';

/** The catalog's name of the token a mode fetched (OAUTH2_CC's, SIGNATURE's WSSE digest, …). */
const TOKEN_PLACEHOLDER = '${accessToken}';

/**
 * Whether a catalog header carries the mode's token (`Bearer ${accessToken}`, Emarsys' `x-wsse: ${accessToken}`): the
 * mode's handler puts those on each request itself (see putToken), so applyProvider leaves them out of the
 * integration's configured headers, which would otherwise need the token as a stored credential to render.
 */
export function carriesToken(value: string): boolean {
  return value.includes(TOKEN_PLACEHOLDER);
}

/**
 * Puts `token` on the request where the integration's catalog entry says (`proxy.headers` holding `${accessToken}`,
 * the rest of the value kept: `Bearer ${accessToken}`), else as `fallback` does (`Bearer <token>` for the modes
 * Nango gives that default).
 */
export function putToken(
  integration: IntegrationConfig,
  request: OutgoingRequest,
  token: string,
  fallback: (token: string) => [name: string, value: string],
): void {
  let put = false;
  for (const [name, value] of Object.entries(integration.provider?.proxy?.headers ?? {})) {
    if (typeof value !== 'string' || !carriesToken(value)) continue;
    const rest = value.split(TOKEN_PLACEHOLDER);
    if (rest.some((piece) => piece.includes('${'))) continue; // another placeholder: not a token header we can fill
    setCredentialHeader(request.headers, name, rest.join(token));
    put = true;
  }
  if (!put) setCredentialHeader(request.headers, ...fallback(token));
}
