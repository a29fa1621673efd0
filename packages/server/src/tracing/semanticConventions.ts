// The OpenTelemetry attribute names our spans use, as the stable semantic conventions spell them. Not imported from
// @opentelemetry/semantic-conventions: its entry point defines every name of the spec (~390 KB over 7 modules, ~30 ms
// of CPU) at each start of the server, for these 15 strings. test/tracing/semanticConventions.test.ts checks each
// against the package, so an upgrade that renamed one fails there. (The tracing SDK, loaded only when tracing is on,
// still imports the package.)

export const ATTR_CLIENT_ADDRESS = 'client.address';
export const ATTR_DB_COLLECTION_NAME = 'db.collection.name';
export const ATTR_DB_OPERATION_NAME = 'db.operation.name';
export const ATTR_DB_SYSTEM_NAME = 'db.system.name';
export const ATTR_ERROR_TYPE = 'error.type';
export const ATTR_HTTP_REQUEST_METHOD = 'http.request.method';
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
export const ATTR_HTTP_ROUTE = 'http.route';
export const ATTR_NETWORK_PROTOCOL_VERSION = 'network.protocol.version';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
export const ATTR_URL_FULL = 'url.full';
export const ATTR_URL_PATH = 'url.path';
export const ATTR_URL_SCHEME = 'url.scheme';
export const ATTR_USER_AGENT_ORIGINAL = 'user_agent.original';
