import type { NangoConnection } from '@nangohq/protocol';
import type { IntegrationConfig } from '../../../config/types';
import { renderAll } from '../../../config/renderTemplate';
import { resolveBaseUrl } from '../../../outbound/resolveUrl';

/** What a proxy call takes from its integration and Connection alone, whatever the call. */
export interface ConnectionTarget {
  /** base_url filled for the Connection and parsed (resolveBaseUrl); read by every call, changed by none. */
  readonly base: URL;
  /** The configured query_params, rendered for the Connection. */
  readonly query: readonly [string, string][];
  /** The configured headers, rendered for the Connection. */
  readonly headers: readonly [string, string][];
}

/**
 * Made once per pair of objects and kept as long as both live. Both are values that never change in place: a
 * config reload makes new integration objects, and a Connection read again (the proxy's copy is at most
 * NANGO_PROXY_STALE_MS old), refreshed or updated is a new object, so a kept target is never older than the copy of
 * the Connection the call uses. An integration with a Base-Url-Override is a new object per call: it misses.
 */
const made = new WeakMap<IntegrationConfig, WeakMap<NangoConnection, ConnectionTarget>>();

/**
 * The proxy's per-Connection part of a call: filling and parsing base_url and rendering the configured headers and
 * query params were some 30 µs of each call's CPU (bench/proxy-profile.mjs). Nothing is kept when one throws.
 * @throws WorkerError `http_request_invalid`, as resolveBaseUrl and renderTemplate do
 */
export function connectionTarget(integration: IntegrationConfig, connection: NangoConnection): ConnectionTarget {
  let byConnection = made.get(integration);
  if (byConnection === undefined) {
    byConnection = new WeakMap();
    made.set(integration, byConnection);
  }
  let target = byConnection.get(connection);
  if (target === undefined) {
    target = {
      base: resolveBaseUrl(integration, connection),
      query: renderAll(integration.queryParams, connection),
      headers: renderAll(integration.headers, connection),
    };
    byConnection.set(connection, target);
  }
  return target;
}
