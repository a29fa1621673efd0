/** What a function may read of the server's environment; none in some unit tests (getWebhookURL then fails). */
export interface FunctionEnvironment {
  /** Where an integration's provider webhooks are received: `<server URL>/webhook/<environment>/<integration>`. */
  webhookUrl(integration: string): string;
  /** NANGO_ENVIRONMENT_VARIABLES, in the order given. */
  readonly variables: Readonly<Record<string, string>>;
}
