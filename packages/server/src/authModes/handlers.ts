import type { AuthMode } from '@nangohq/protocol';
import { WorkerError } from '../errors';
import { apiKey } from './apiKey';
import type { AuthModeHandler } from './AuthModeHandler';
import { awsSigV4 } from './awsSigV4';
import { basic } from './basic';
import { githubApp } from './githubApp';
import { githubAppOAuth } from './githubAppOAuth';
import { jwt } from './jwt';
import { mcpOAuth2, mcpOAuth2Generic } from './mcpOAuth2';
import { none } from './none';
import { oauth1 } from './oauth1';
import { oauth2 } from './oauth2';
import { oauth2ClientCredentials } from './oauth2ClientCredentials';
import { signature } from './signature';
import { bill } from './bill';
import { tba } from './tba';
import { twoStep } from './twoStep';

/** The modes this server runs, each by its handler. Add a mode here and to RUN_MODES (config/authModeNames.ts). */
const HANDLERS: Readonly<Partial<Record<AuthMode, AuthModeHandler>>> = Object.freeze({
  OAUTH2: oauth2,
  OAUTH2_CC: oauth2ClientCredentials,
  SIGNATURE: signature,
  BILL: bill,
  OAUTH1: oauth1,
  API_KEY: apiKey,
  USERNAME_PASSWORD: basic,
  TBA: tba,
  TWO_STEP: twoStep,
  AWS_SIGV4: awsSigV4,
  NONE: none,
  MCP_OAUTH2: mcpOAuth2,
  MCP_OAUTH2_GENERIC: mcpOAuth2Generic,
  JWT: jwt,
  APP: githubApp,
  CUSTOM: githubAppOAuth,
});

/** The modes with a handler: RUN_MODES (config/authModeNames.ts) must list the same (a test checks). */
export function handledAuthModes(): AuthMode[] {
  return Object.keys(HANDLERS) as AuthMode[];
}

/**
 * The handler of `mode`.
 * @throws WorkerError `invalid_credentials` for a mode this server does not run (an integration of it cannot be
 *   declared, so only a stale Connection can get here)
 */
export function authModeHandler(mode: AuthMode): AuthModeHandler {
  const handler = Object.prototype.hasOwnProperty.call(HANDLERS, mode) ? HANDLERS[mode] : undefined;
  if (!handler) throw new WorkerError('invalid_credentials', `this server does not run auth mode ${mode}`);
  return handler;
}
