import type { OperationContext } from '../operations/OperationContext';
import type { IntegrationRegistry } from '../integrations/IntegrationRegistry';
import type { Logger } from '../logger';
import type { WorkerMetrics } from '../metrics/WorkerMetrics';
import type { Readiness } from './readiness';
import type { OAuthSessionStore } from '../store/OAuthSessionStore';
import type { WorkerSettings } from '../settings';
import type { Store } from '../store/Store';
import type { Webhooks } from '../webhooks/Webhooks';
import type { ActionDispatcher } from './ActionDispatcher';
import type { FlowResultRelay } from './FlowResultRelay';
import type { WsClients } from './WsClients';
import type { DashboardSettings } from './dashboard/DashboardSettings';

/** The HTTP settings; see WorkerSettings for their environment variables and defaults. */
export interface ApiSettings {
  /** Public URL of this server; callback URLs are built on it. */
  readonly serverUrl: string;
  /** Required on every non-OAuth route when set. */
  readonly secretKey: string | undefined;
  /** Required as `public_key` on /oauth/connect when set. */
  readonly publicKey: string | undefined;
  /** When set, /oauth/connect requires `hmac` = hex HMAC-SHA256 of `<provider config key>:<connection id>`. */
  readonly hmacKey: string | undefined;
  /** How long an OAuth flow may take from /oauth/connect to its callback. */
  readonly oauthSessionTtlMs: number;
  /** Time limit of each call to a provider's token or request-token endpoint. */
  readonly providerTimeoutMs: number;
  /** The dashboard at /dashboard and its sessions; undefined with NANGO_DASHBOARD=off. */
  readonly dashboard: DashboardSettings | undefined;
}

/** What every route may use: the same operations the RPC consumer calls, and the HTTP side's own parts. */
export interface ApiContext {
  readonly operations: OperationContext;
  readonly registry: IntegrationRegistry;
  readonly sessions: OAuthSessionStore;
  readonly sockets: WsClients;
  readonly settings: ApiSettings;
  readonly logger: Logger;
  /** The whole store, for the REST API's own tables (connect sessions, async actions, rate limits, webhooks). */
  readonly store: Store;
  /** Where webhooks are sent from. */
  readonly webhooks: Webhooks;
  /** Every setting, for routes that need more than the HTTP ones above. */
  readonly workerSettings: WorkerSettings;
  /** How /action routes reach the workers over the broker; absent when this API has no broker connection. */
  actions?: ActionDispatcher;
  /**
   * How a flow's result reaches the frontend's socket on another API process (through the broker); absent in tests
   * that build the API alone, where only this process's sockets are reached.
   */
  flowResults?: FlowResultRelay;
  /** The worker's metrics: requests are counted into it and `GET /metrics` reads it; none in some tests. */
  readonly metrics?: WorkerMetrics;
  /**
   * The whole process's readiness (every broker link of each role it runs, and the store) for GET /health/ready;
   * absent in tests that build the API alone, where the API's own links and the store are asked.
   */
  readonly readiness?: () => Promise<Readiness>;
}
