import { AUTH_MODES, type AuthMode } from '@nangohq/protocol';

/**
 * Our auth mode names and the catalog's (Nango's providers.yaml, and `credentials.type` on the wire): the same but
 * for USERNAME_PASSWORD, which the catalog and the official SDKs call BASIC.
 */
export function catalogModeOf(mode: AuthMode): string {
  return mode === 'USERNAME_PASSWORD' ? 'BASIC' : mode;
}

/** Our name for a catalog auth mode; undefined for one this server does not know (INSTALL_PLUGIN, …). */
export function modeOfCatalog(catalogMode: string): AuthMode | undefined {
  if (catalogMode === 'BASIC') return 'USERNAME_PASSWORD';
  return KNOWN.has(catalogMode) && catalogMode !== 'USERNAME_PASSWORD' ? (catalogMode as AuthMode) : undefined;
}

/** The operation name of a mode's connect flow (`basic`, `api_key`, `oauth2_cc`, …). */
export function connectName(mode: AuthMode): string {
  return catalogModeOf(mode).toLowerCase();
}

const KNOWN: ReadonlySet<string> = new Set<string>(AUTH_MODES);

/**
 * The modes this server runs: each has its handler in authModes/handlers.ts (a test checks the two agree).
 * Integrations of any other mode are refused where they are declared, naming the mode.
 */
export const RUN_MODES: ReadonlySet<AuthMode> = new Set<AuthMode>([
  'OAUTH2',
  'OAUTH2_CC',
  'SIGNATURE',
  'BILL',
  'OAUTH1',
  'API_KEY',
  'USERNAME_PASSWORD',
  'TBA',
  'TWO_STEP',
  'AWS_SIGV4',
  'NONE',
  'MCP_OAUTH2',
  'MCP_OAUTH2_GENERIC',
  'JWT',
  'APP',
  'CUSTOM',
]);

/** Whether this server runs `mode`. */
export function runsAuthMode(mode: AuthMode): boolean {
  return RUN_MODES.has(mode);
}

/** A problem's text for an integration of a mode this server does not run, naming those it runs. */
export function notRunMessage(mode: string): string {
  const runs = [...RUN_MODES].map(catalogModeOf).join(', ');
  return `auth mode ${mode}, which this server does not run (it runs ${runs})`;
}

/**
 * Catalog auth modes whose integration holds an OAuth client (id, secret, scopes): OAuth 2 and 1, TBA (NetSuite's
 * consumer key and secret), MCP_OAUTH2 (a static client, or used instead of a registered one) and OAUTH2_CC (the
 * client whose token every Connection gets, unless it gives its own). What POST
 * /integrations takes as `credentials`, and what `include=credentials` gives back.
 */
export function holdsOAuthClient(
  catalogMode: string | undefined,
): catalogMode is 'OAUTH2' | 'OAUTH2_CC' | 'OAUTH1' | 'TBA' | 'MCP_OAUTH2' {
  return catalogMode !== undefined && WITH_CLIENT.has(catalogMode);
}

const WITH_CLIENT: ReadonlySet<string> = new Set(['OAUTH2', 'OAUTH2_CC', 'OAUTH1', 'TBA', 'MCP_OAUTH2']);
