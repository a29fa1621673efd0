import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../ApiContext';
import { registerGetAsyncActionResult } from './action/getAsyncActionResult';
import { registerPostActionTrigger } from './action/postActionTrigger';
import { registerGetScriptsConfig } from './scripts/getScriptsConfig';
import { registerPostApiKeyAuth } from './apiAuth/postApiKeyAuth';
import { registerPostAwsSigV4Auth } from './apiAuth/postAwsSigV4Auth';
import { registerPostBasicAuth } from './apiAuth/postBasicAuth';
import { registerPostJwtAuth } from './apiAuth/postJwtAuth';
import { registerPostTbaAuth } from './apiAuth/postTbaAuth';
import { registerPostOAuth2CcAuth } from './apiAuth/postOAuth2CcAuth';
import { registerPostSignatureAuth } from './apiAuth/postSignatureAuth';
import { registerPostBillAuth } from './apiAuth/postBillAuth';
import { registerPostTwoStepAuth } from './apiAuth/postTwoStepAuth';
import { registerPostUnauthenticatedAuth } from './apiAuth/postUnauthenticatedAuth';
import { registerDeleteConfig } from './config/deleteConfig';
import { registerGetConfig } from './config/getConfig';
import { registerListConfigs } from './config/listConfigs';
import { registerPostConfig } from './config/postConfig';
import { registerPutConfig } from './config/putConfig';
import { registerDeleteConnectSession } from './connect/deleteSession';
import { registerGetConnectPage } from './connect/getConnectPage';
import { registerGetConnectSession } from './connect/getSession';
import { registerGetConnectSessionIntegrations } from './connect/getSessionIntegrations';
import { registerPostConnectSessions } from './connect/postSessions';
import { registerPostReconnectSession } from './connect/postReconnectSession';
import { registerPostConnectionMetadata, registerPatchConnectionMetadata } from './connections/connectionMetadata';
import { registerDeleteConnection } from './connections/deleteConnection';
import { registerGetConnection } from './connections/getConnection';
import { registerLegacyDeleteConnection } from './connections/legacyDeleteConnection';
import { registerLegacyGetConnection } from './connections/legacyGetConnection';
import { registerLegacyListConnections } from './connections/legacyListConnections';
import { registerListConnections } from './connections/listConnections';
import { registerPatchConnection } from './connections/patchConnection';
import { registerPostConnections } from './connections/postConnections';
import { registerGetEnvironmentVariables } from './environment/getEnvironmentVariables';
import { registerGetFrontendSdk } from './getFrontendSdk';
import { registerDeleteIntegration } from './integrations/deleteIntegration';
import { registerGetIntegration } from './integrations/getIntegration';
import { registerListIntegrations } from './integrations/listIntegrations';
import { registerPatchIntegration } from './integrations/patchIntegration';
import { registerPostIntegration } from './integrations/postIntegration';
import { registerPostQuickstartIntegration } from './integrations/postQuickstartIntegration';
import { registerListProviders } from './providers/listProviders';
import { registerHealth } from './getHealth';
import { registerGetMetrics } from './metrics/getMetrics';
import { registerProxy } from './proxy/registerProxy';
import { registerGetOAuthCallback } from './oauth/getOAuthCallback';
import { registerGetAppAuthConnect } from './oauth/getAppAuthConnect';
import { registerGetOAuthConnect } from './oauth/getOAuthConnect';
import { registerListWebhookDeliveries } from './webhooks/listWebhookDeliveries';
import { registerReplayWebhookDelivery } from './webhooks/replayWebhookDelivery';
import { registerPostProviderWebhook } from './webhooks/postProviderWebhook';
import { registerGetRecords } from './records/getRecords';
import { registerPatchPruneRecords } from './records/patchPruneRecords';
import { registerGetSyncStatus } from './sync/getSyncStatus';
import { registerPostSyncPause } from './sync/postSyncPause';
import { registerPostSyncStart } from './sync/postSyncStart';
import { registerPostSyncTrigger } from './sync/postSyncTrigger';
import { registerPutSyncFrequency } from './sync/putSyncFrequency';
import { registerDeleteSyncVariant } from './sync/deleteSyncVariant';
import { registerPostSyncVariant } from './sync/postSyncVariant';
import { registerGetLogsTail } from './logs/getLogsTail';
import { registerGetOperation } from './logs/getOperation';
import { registerListOperations } from './logs/listOperations';
import { registerGetOperationStats } from './logs/getOperationStats';
import { registerGetConnectionAuth } from './connections/getConnectionAuth';
import { registerListSyncs } from './syncs/listSyncs';
import { registerGetDashboardSession } from './dashboard/getDashboardSession';
import { registerPostDashboardSession } from './dashboard/postDashboardSession';
import { registerDeleteDashboardSession } from './dashboard/deleteDashboardSession';
import { registerGetDashboardPage } from './dashboard/getDashboardPage';
import { registerGetDashboardAsset } from './dashboard/getDashboardAsset';
import { registerPostMcp } from './mcp/postMcp';
import { registerRefuseMcpStream } from './mcp/refuseMcpStream';
import { registerPostDeployConfirmation } from './functions/postDeployConfirmation';
import { registerPostDeploy } from './functions/postDeploy';
import { registerPostFunctionsBundle } from './functions/postFunctionsBundle';
import { registerListDeployments } from './functions/listDeployments';
import { registerPostDeploymentRollback } from './functions/postDeploymentRollback';

/** Every route of the HTTP API, one file each. */
export function registerRoutes(app: FastifyInstance, context: ApiContext): void {
  registerHealth(app, context);
  registerGetMetrics(app, context);
  registerListConfigs(app, context);
  registerGetConfig(app, context);
  registerPostConfig(app, context);
  registerPutConfig(app, context);
  registerDeleteConfig(app, context);
  // The legacy family (/connection…) and the REST family (/connections…), one file per route in connections/.
  registerLegacyListConnections(app, context);
  registerLegacyGetConnection(app, context);
  registerLegacyDeleteConnection(app, context);
  registerListConnections(app, context);
  registerGetConnection(app, context);
  registerDeleteConnection(app, context);
  registerPostConnectionMetadata(app, context);
  registerPatchConnectionMetadata(app, context);
  registerPatchConnection(app, context);
  registerGetOAuthConnect(app, context);
  registerGetOAuthCallback(app, context);
  registerGetAppAuthConnect(app, context);
  registerGetFrontendSdk(app, context);
  registerListProviders(app, context);
  registerPostActionTrigger(app, context);
  registerGetAsyncActionResult(app, context);
  registerGetScriptsConfig(app, context);
  registerListWebhookDeliveries(app, context);
  registerReplayWebhookDelivery(app, context);
  registerPostProviderWebhook(app, context);
  // Connect sessions, the Connect page and the non-OAuth frontend auth (issue 10, connect part).
  registerPostConnectSessions(app, context);
  registerPostReconnectSession(app, context);
  registerGetConnectSession(app, context);
  registerDeleteConnectSession(app, context);
  registerGetConnectSessionIntegrations(app, context);
  registerGetConnectPage(app, context);
  registerPostApiKeyAuth(app, context);
  registerPostBasicAuth(app, context);
  registerPostTbaAuth(app, context);
  registerPostTwoStepAuth(app, context);
  registerPostUnauthenticatedAuth(app, context);
  registerPostAwsSigV4Auth(app, context);
  registerPostOAuth2CcAuth(app, context);
  registerPostSignatureAuth(app, context);
  registerPostBillAuth(app, context);
  registerPostJwtAuth(app, context);
  registerListIntegrations(app, context);
  registerGetIntegration(app, context);
  registerPostIntegration(app, context);
  registerPatchIntegration(app, context);
  registerDeleteIntegration(app, context);
  registerProxy(app, context);
  // Syncs and records (issue 11).
  registerPostSyncTrigger(app, context);
  registerPostSyncStart(app, context);
  registerPostSyncPause(app, context);
  registerGetSyncStatus(app, context);
  registerPutSyncFrequency(app, context);
  registerGetRecords(app, context);
  registerPatchPruneRecords(app, context);
  // Sync variants (node SDK 0.71 createSyncVariant, deleteSyncVariant).
  registerPostSyncVariant(app, context);
  registerDeleteSyncVariant(app, context);
  // Environment variables (node SDK 0.71 getEnvironmentVariables), from NANGO_ENVIRONMENT_VARIABLES only.
  registerGetEnvironmentVariables(app, context);
  // Nango Cloud's quickstart integrations: refused, saying what to do instead.
  registerPostQuickstartIntegration(app, context);
  // Nango's import of a Connection with its credentials.
  registerPostConnections(app, context);
  // The operations log (issue 18).
  registerListOperations(app, context);
  registerGetOperationStats(app, context);
  registerGetOperation(app, context);
  registerGetLogsTail(app, context);
  // What the dashboard reads besides (issue: the dashboard).
  registerGetConnectionAuth(app, context);
  registerListSyncs(app, context);
  // Actions as tools for AI agents: the MCP server of a Connection (issue 21).
  registerPostMcp(app, context);
  registerRefuseMcpStream(app, context);
  // Functions deployed by the official `nango deploy` (issue 21), their versions and rollback.
  registerPostDeployConfirmation(app, context);
  registerPostDeploy(app, context);
  registerPostFunctionsBundle(app, context);
  registerListDeployments(app, context);
  registerPostDeploymentRollback(app, context);
  // The dashboard: its pages and files, and its sign-in; none of it with NANGO_DASHBOARD=off.
  if (context.settings.dashboard) {
    registerGetDashboardSession(app, context);
    registerPostDashboardSession(app, context);
    registerDeleteDashboardSession(app, context);
    registerGetDashboardPage(app, context);
    registerGetDashboardAsset(app, context);
  }
}
