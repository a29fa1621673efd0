import type { NangoConnection } from '@nangohq/protocol';
import { DEFAULTS } from '../config/loadIntegrationsConfig';
import type { IntegrationConfig } from '../config/types';
import { authModeHandler } from './handlers';

/**
 * How long before its expiry a Connection's token is fetched again: the integration's margin (`oauth.refresh_margin_s`,
 * 900 s by default), shortened to the auth mode's own when it has one (see AuthModeHandler.refreshMarginMs), so a
 * token that lives 15 minutes is not taken as due from the moment it is fetched.
 */
export function refreshMarginMs(integration: IntegrationConfig, connection: NangoConnection): number {
  const configured = (integration.oauth?.refreshMarginSeconds ?? DEFAULTS.refreshMarginSeconds) * 1000;
  const own = authModeHandler(integration.authMode).refreshMarginMs?.(integration, connection);
  return own === undefined ? configured : Math.min(configured, own);
}
