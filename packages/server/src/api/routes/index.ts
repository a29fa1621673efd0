import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../ApiContext';
import { registerDeleteConfig } from './config/deleteConfig';
import { registerGetConfig } from './config/getConfig';
import { registerListConfigs } from './config/listConfigs';
import { registerPostConfig } from './config/postConfig';
import { registerPutConfig } from './config/putConfig';
import { registerDeleteConnection } from './connection/deleteConnection';
import { registerGetConnection } from './connection/getConnection';
import { registerListConnections } from './connection/listConnections';
import { registerGetFrontendSdk } from './getFrontendSdk';
import { registerListProviders } from './providers/listProviders';
import { registerHealth } from './getHealth';
import { registerGetOAuthCallback } from './oauth/getOAuthCallback';
import { registerGetOAuthConnect } from './oauth/getOAuthConnect';
import { registerGetRecords } from './records/getRecords';
import { registerPatchPruneRecords } from './records/patchPruneRecords';
import { registerGetSyncStatus } from './sync/getSyncStatus';
import { registerPostSyncPause } from './sync/postSyncPause';
import { registerPostSyncStart } from './sync/postSyncStart';
import { registerPostSyncTrigger } from './sync/postSyncTrigger';
import { registerPutSyncFrequency } from './sync/putSyncFrequency';

/** Every route of the HTTP API, one file each. */
export function registerRoutes(app: FastifyInstance, context: ApiContext): void {
  registerHealth(app, context);
  registerListConfigs(app, context);
  registerGetConfig(app, context);
  registerPostConfig(app, context);
  registerPutConfig(app, context);
  registerDeleteConfig(app, context);
  registerListConnections(app, context);
  registerGetConnection(app, context);
  registerDeleteConnection(app, context);
  registerGetOAuthConnect(app, context);
  registerGetOAuthCallback(app, context);
  registerGetFrontendSdk(app, context);
  registerListProviders(app, context);
  // Syncs and records (issue 11).
  registerPostSyncTrigger(app, context);
  registerPostSyncStart(app, context);
  registerPostSyncPause(app, context);
  registerGetSyncStatus(app, context);
  registerPutSyncFrequency(app, context);
  registerGetRecords(app, context);
  registerPatchPruneRecords(app, context);
}
