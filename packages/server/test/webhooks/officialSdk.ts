/** What the tests use of the official `@nangohq/node` 0.71.4 (an npm alias): its two webhook checks. */
export interface OfficialWebhookChecks {
  verifyIncomingWebhookRequest(body: string, headers: Record<string, unknown>): boolean;
  /** Deprecated in 0.71 (it warns once per process), still used by older receivers. */
  verifyWebhookSignature(signatureInHeader: string, jsonPayload: unknown): boolean;
}

/** `new Nango({ host, secretKey })` of the official SDK, unchanged. */
export function officialNango(secretKey: string): OfficialWebhookChecks {
  const { Nango } = require('nango-node-0714') as {
    Nango: new (options: { host: string; secretKey: string }) => OfficialWebhookChecks;
  };
  return new Nango({ host: 'http://localhost:1', secretKey });
}
