/**
 * @nangohq/server: the Nango worker, for embedding or tests. Run it from the command line with `nango-server`.
 */
export { Worker, type WorkerStartOptions } from './Worker';
export { resolveWorkerSettings, storeTarget, type WorkerSettings } from './settings';
export { ConfigError, loadIntegrationsConfig } from './config/loadIntegrationsConfig';
export type { IntegrationConfig, IntegrationsConfig, ActionConfig } from './config/types';
export { loadProviderCatalog } from './providers/loadProviderCatalog';
export type { Provider, ProviderCatalog } from './providers/Provider';
export type { Store, ConnectionStore, IdempotencyStore, RefreshLocks, DeliveryCounter, KeyRecords } from './store/Store';
export { SqliteStore } from './store/sqlite/SqliteStore';
export { PgStore } from './store/postgres/PgStore';
export { openStore, type StoreTarget } from './store/openStore';
export { CredentialCipher } from './encryption/CredentialCipher';
export { loadKeyring, generateKey, type Keyring } from './encryption/Keyring';
export { createLogger, type Logger } from './logger';
export { workerQueueNames } from './broker/queueNames';
