import type { HttpRequest } from './http';
import { NangoError } from './NangoError';
import { queryString, seg } from './requests';
import type { ListRecordsConfig, PruneRecordsConfig, SyncMode, SyncRef, SyncVariantProps, TriggerSyncOptions } from './types';

/** @throws NangoError `invalid_argument` */
function invalid(message: string): never {
  throw new NangoError({ code: 'invalid_argument', message });
}

/** @throws NangoError `invalid_argument` when one of `fields` is not a non-empty string */
function requireStrings(values: Record<string, unknown>, what: string): void {
  for (const [field, value] of Object.entries(values)) {
    if (typeof value !== 'string' || value === '') invalid(`${field} is required to ${what}`);
  }
}

/** The headers that name the Connection on the records routes. */
function recordHeaders(providerConfigKey: string, connectionId: string): Record<string, string> {
  return { 'Connection-Id': connectionId, 'Provider-Config-Key': providerConfigKey };
}

/**
 * The official SDK's listRecords request: `GET /records/?model=…[&variant][&modified_after][&limit][&filter][&cursor]
 * [&ids=…&ids=…]` (in that order), the Connection in headers.
 * @throws NangoError `invalid_argument`
 */
export function listRecordsRequest(config: ListRecordsConfig): HttpRequest {
  const { providerConfigKey, connectionId, model } = config;
  requireStrings({ providerConfigKey, connectionId, model }, 'list records');
  const query = queryString([
    ['model', model],
    ['variant', config.variant],
    ['modified_after', config.modifiedAfter || config.delta],
    ['limit', config.limit || undefined],
    ['filter', config.filter],
    ['cursor', config.cursor ?? undefined],
    ...(config.ids ?? []).map((id): [string, string] => ['ids', String(id)]),
  ]);
  return { method: 'GET', path: `/records/${query}`, headers: recordHeaders(providerConfigKey, connectionId) };
}

/**
 * `PATCH /records/prune` `{ model, until_cursor, limit?, variant? }`, the Connection in headers.
 * @throws NangoError `invalid_argument`
 */
export function pruneRecordsRequest(config: PruneRecordsConfig): HttpRequest {
  const { providerConfigKey, connectionId, model, untilCursor } = config;
  requireStrings({ providerConfigKey, connectionId, model, untilCursor }, 'prune records');
  const json = {
    model,
    until_cursor: untilCursor,
    ...(config.limit && { limit: config.limit }),
    ...(config.variant && { variant: config.variant }),
  };
  return { method: 'PATCH', path: '/records/prune', headers: recordHeaders(providerConfigKey, connectionId), json };
}

/** @throws NangoError `invalid_argument` unless `syncs` is an array (or, where allowed, undefined) */
function requireSyncList(syncs: unknown, optional: boolean): void {
  if (syncs === undefined && optional) return;
  if (!Array.isArray(syncs)) invalid('syncs must be an array; wrap a single sync in one');
}

/**
 * `POST /sync/trigger` `{ syncs, provider_config_key, connection_id?, opts? }`, or with the legacy mode
 * `{ …, sync_mode }` (`true` is `full_refresh`, `false` `incremental`).
 * @throws NangoError `invalid_argument`
 */
export function triggerSyncRequest(
  providerConfigKey: string,
  syncs: readonly SyncRef[] | undefined,
  connectionId: string | undefined,
  optsOrMode: TriggerSyncOptions | SyncMode | undefined,
): HttpRequest {
  requireStrings({ providerConfigKey }, 'trigger syncs');
  requireSyncList(syncs, true);
  const base = { syncs: syncs ?? [], provider_config_key: providerConfigKey, connection_id: connectionId };
  if (typeof optsOrMode === 'string' || typeof optsOrMode === 'boolean') {
    const mode = typeof optsOrMode === 'boolean' ? (optsOrMode ? 'full_refresh' : 'incremental') : optsOrMode;
    return { method: 'POST', path: '/sync/trigger', json: { ...base, sync_mode: mode } };
  }
  return { method: 'POST', path: '/sync/trigger', json: { ...base, opts: optsOrMode ?? undefined } };
}

/**
 * `POST /sync/start` or `/sync/pause` `{ syncs, provider_config_key, connection_id? }`.
 * @throws NangoError `invalid_argument`
 */
export function scheduleRequest(
  action: 'start' | 'pause',
  providerConfigKey: string,
  syncs: readonly SyncRef[],
  connectionId: string | undefined,
): HttpRequest {
  requireStrings({ providerConfigKey }, `${action} syncs`);
  requireSyncList(syncs, false);
  return {
    method: 'POST',
    path: `/sync/${action}`,
    json: { syncs, provider_config_key: providerConfigKey, connection_id: connectionId },
  };
}

/**
 * `GET /sync/status?syncs=<csv of name or name::variant, or *>&provider_config_key=…[&connection_id=…]`.
 * @throws NangoError `invalid_argument`
 */
export function syncStatusRequest(
  providerConfigKey: string,
  syncs: '*' | readonly SyncRef[],
  connectionId: string | undefined,
): HttpRequest {
  requireStrings({ providerConfigKey }, 'read sync status');
  if (syncs !== '*') requireSyncList(syncs, false);
  const names =
    syncs === '*'
      ? '*'
      : syncs
          .map((sync) => (typeof sync === 'string' ? sync : sync.variant ? `${sync.name}::${sync.variant}` : sync.name))
          .join(',');
  const query = queryString([
    ['syncs', names],
    ['provider_config_key', providerConfigKey],
    ['connection_id', connectionId],
  ]);
  return { method: 'GET', path: `/sync/status${query}` };
}

/**
 * `PUT /sync/update-connection-frequency` `{ sync_name, sync_variant?, provider_config_key, connection_id, frequency }`.
 * @throws NangoError `invalid_argument`
 */
export function syncFrequencyRequest(
  providerConfigKey: string,
  sync: SyncRef,
  connectionId: string,
  frequency: string | null,
): HttpRequest {
  requireStrings({ providerConfigKey, connectionId }, 'update a sync frequency');
  const name = typeof sync === 'string' ? sync : sync?.name;
  if (typeof name !== 'string' || name === '') invalid('sync is required to update a sync frequency');
  if (typeof frequency !== 'string' && frequency !== null) invalid('frequency must be a string or null');
  const json = {
    ...(typeof sync === 'string' ? { sync_name: sync } : { sync_name: sync.name, sync_variant: sync.variant }),
    provider_config_key: providerConfigKey,
    connection_id: connectionId,
    frequency,
  };
  return { method: 'PUT', path: '/sync/update-connection-frequency', json };
}

/**
 * `POST` (create) or `DELETE` (delete) `/sync/:name/variant/:variant` `{ provider_config_key, connection_id }`.
 * @throws NangoError `invalid_argument`
 */
export function syncVariantRequest(method: 'POST' | 'DELETE', props: SyncVariantProps): HttpRequest {
  const { provider_config_key: providerConfigKey, connection_id: connectionId, name, variant } = props ?? {};
  requireStrings(
    { provider_config_key: providerConfigKey, connection_id: connectionId, name, variant },
    `${method === 'POST' ? 'create' : 'delete'} a sync variant`,
  );
  return {
    method,
    path: `/sync/${seg(name)}/variant/${seg(variant)}`,
    json: { provider_config_key: providerConfigKey, connection_id: connectionId },
  };
}
