/**
 * `<server URL>/webhook/<environment>`, where providers send an integration's webhooks (then `/<integration key>`):
 * Nango's shape, with NANGO_ENVIRONMENT_UUID when set (a Nango environment's id, so providers keep their URLs), else
 * NANGO_ENVIRONMENT. What `GET /integrations/:key?include=webhook` and a function's `getWebhookURL()` answer.
 */
export function webhookBaseOf(serverUrl: string, environment: string, environmentUuid: string | undefined): string {
  return `${serverUrl.replace(/\/+$/, '')}/webhook/${encodeURIComponent(environmentUuid ?? environment)}`;
}
