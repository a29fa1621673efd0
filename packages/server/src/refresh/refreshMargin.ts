import { authModeHandler } from '../authModes/handlers';
import { DEFAULTS } from '../config/loadIntegrationsConfig';
import type { IntegrationConfig } from '../config/types';

/**
 * How long before its expiry a Connection's token of `integration` is fetched again, in ms: the integration's margin
 * (`oauth.refresh_margin_s`, else the default), unless its auth mode narrows it for short-lived tokens (see
 * AuthModeHandler.refreshMarginMs).
 */
export function refreshMarginMs(integration: IntegrationConfig): number {
  const configured = (integration.oauth?.refreshMarginSeconds ?? DEFAULTS.refreshMarginSeconds) * 1000;
  return authModeHandler(integration.authMode).refreshMarginMs?.(integration, configured) ?? configured;
}
