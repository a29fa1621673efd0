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
import { registerProxy } from './proxy/registerProxy';
import { registerGetOAuthCallback } from './oauth/getOAuthCallback';
import { registerGetOAuthConnect } from './oauth/getOAuthConnect';

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
  registerProxy(app, context);
}
