import type { IntegrationConfig } from '../config/types';
import type { IncomingWebhook, Reception, RoutedEvent } from './IncomingWebhook';
import { lookupText, readJson, readSlackBody, valueAt, type Parsed } from './readPayload';
import { checkHexHmac, checkHubspotV3, checkSlack, headerOf } from './signatures';

/**
 * How the webhooks of one provider are checked and routed: our own implementation of what the providers catalog's
 * `webhook_routing_script` names. `receive` never throws and never does I/O: finding the Connection (a store read)
 * happens on a worker, from the lookups it returns.
 */
export interface WebhookRoute {
  /** For logs and operations: `github`, `slack`, `hubspot`, `generic`. */
  readonly name: string;
  receive(webhook: IncomingWebhook, integration: IntegrationConfig, now: number): Reception;
}

/** The header the generic mode reads its signature from when `webhooks.signature_header` is not set. */
export const GENERIC_SIGNATURE_HEADER = 'X-Signature-256';

const NO_SECRET =
  'integration has no webhook secret to check the signature with: set credentials.webhook_secret (POST/PATCH /integrations) or webhooks.secret in integrations.yaml';

function refused(status: 400 | 401, message: string): Reception {
  return { kind: 'refused', status, message };
}

function accepted(parsed: Parsed & { ok: true }, events: readonly RoutedEvent[]): Reception {
  return { kind: 'accepted', payload: parsed.value, events };
}

/**
 * GitHub (github-app, github-app-oauth, github): `X-Hub-Signature-256` with the webhook secret; the event type is the
 * `X-GitHub-Event` header; the Connection is the one whose `installation_id` is the payload's `installation.id`.
 */
const GITHUB: WebhookRoute = {
  name: 'github',
  receive(webhook, integration) {
    const secret = integration.webhooks?.secret;
    if (secret === undefined) return refused(401, `The ${NO_SECRET}`);
    const problem = checkHexHmac('X-Hub-Signature-256', webhook.headers, webhook.rawBody, secret);
    if (problem) return refused(401, `Bad GitHub webhook signature: ${problem}`);
    const parsed = readJson(webhook.rawBody);
    if (!parsed.ok) return refused(400, parsed.message);
    const installation = lookupText(valueAt(parsed.value, 'installation.id'));
    const event: RoutedEvent = {
      type: headerOf(webhook.headers, 'x-github-event'),
      ...(installation !== undefined && { lookup: { key: 'installation_id', value: installation } }),
    };
    return accepted(parsed, [event]);
  },
};

/**
 * Slack: the v0 signing secret (`X-Slack-Signature`, `X-Slack-Request-Timestamp`); `url_verification` is answered
 * with its challenge; the Connection is the one whose `team.id` (what Slack's token response gives) is the payload's
 * `team_id` or `team.id`; the type is the payload's `type`, and for Events API callbacks also `event.type`.
 */
const SLACK: WebhookRoute = {
  name: 'slack',
  receive(webhook, integration, now) {
    const secret = integration.webhooks?.secret;
    if (secret === undefined) return refused(401, `The ${NO_SECRET} (Slack's signing secret)`);
    const problem = checkSlack(webhook.headers, webhook.rawBody, secret, now);
    if (problem) return refused(401, `Bad Slack webhook signature: ${problem}`);
    const parsed = readSlackBody(webhook.rawBody, headerOf(webhook.headers, 'content-type'));
    if (!parsed.ok) return refused(400, parsed.message);
    const payload = parsed.value;
    if (valueAt(payload, 'type') === 'url_verification') {
      const challenge = valueAt(payload, 'challenge');
      return { kind: 'answer', body: { challenge: typeof challenge === 'string' ? challenge : '' } };
    }
    const team = lookupText(valueAt(payload, 'team_id')) ?? lookupText(valueAt(payload, 'team.id'));
    const lookup = team === undefined ? undefined : { key: 'team.id', value: team };
    const types = [lookupText(valueAt(payload, 'type')), lookupText(valueAt(payload, 'event.type'))];
    const events = types.filter((type) => type !== undefined).map((type) => ({ type, lookup }));
    return accepted(parsed, events.length > 0 ? events : [{ lookup }]);
  },
};

/**
 * HubSpot: the v3 signature, keyed with the webhook secret if one is set, else the app's client secret (what HubSpot
 * signs with); the body is a list of events, each routed by its `portalId` (the Connection's `portalId`) and typed by
 * its `subscriptionType`.
 */
const HUBSPOT: WebhookRoute = {
  name: 'hubspot',
  receive(webhook, integration, now) {
    const secret = integration.webhooks?.secret ?? integration.oauth?.clientSecret;
    if (secret === undefined || secret === '') return refused(401, `The ${NO_SECRET} (or an OAuth client secret)`);
    const problem = checkHubspotV3(webhook.headers, webhook.rawBody, secret, webhook, now);
    if (problem) return refused(401, `Bad HubSpot webhook signature: ${problem}`);
    const parsed = readJson(webhook.rawBody);
    if (!parsed.ok) return refused(400, parsed.message);
    const list = Array.isArray(parsed.value) ? (parsed.value as unknown[]) : [parsed.value];
    const events = list.map((event) => {
      const portal = lookupText(valueAt(event, 'portalId'));
      return {
        type: lookupText(valueAt(event, 'subscriptionType')),
        ...(portal !== undefined && { lookup: { key: 'portalId', value: portal } }),
      };
    });
    return accepted(parsed, events);
  },
};

/**
 * The generic mode, for an integration whose `webhooks:` names its fields, or whose provider has no routing here: a
 * hex HMAC-SHA256 of the body in `signature_header` (GENERIC_SIGNATURE_HEADER by default), keyed with the secret
 * (without one, every webhook is refused); the Connection named by `connection_field` matched with
 * `connection_config_key`.
 */
const GENERIC: WebhookRoute = {
  name: 'generic',
  receive(webhook, integration) {
    const settings = integration.webhooks;
    const secret = settings?.secret;
    // Unsigned webhooks are refused: anyone who knows the URL could otherwise run the subscribed functions.
    if (secret === undefined) return refused(401, `The ${NO_SECRET}`);
    const header = settings?.signatureHeader ?? GENERIC_SIGNATURE_HEADER;
    const problem = checkHexHmac(header, webhook.headers, webhook.rawBody, secret);
    if (problem) return refused(401, `Bad webhook signature: ${problem}`);
    const parsed = readJson(webhook.rawBody);
    if (!parsed.ok) return refused(400, parsed.message);
    const field = settings?.connectionField;
    const value = field === undefined ? undefined : lookupText(valueAt(parsed.value, field));
    const type = settings?.typeField === undefined ? undefined : lookupText(valueAt(parsed.value, settings.typeField));
    const lookup = value === undefined ? undefined : { key: settings?.connectionConfigKey ?? 'connectionId', value };
    return accepted(parsed, [{ type, lookup }]);
  },
};

/** The routes of the catalog's `webhook_routing_script` names implemented here. */
const BY_SCRIPT: Readonly<Record<string, WebhookRoute>> = {
  githubAppWebhookRouting: GITHUB,
  githubAppOauthWebhookRouting: GITHUB,
  slackWebhookRouting: SLACK,
  hubspotWebhookRouting: HUBSPOT,
};

/**
 * The route of an integration: the generic mode when its `webhooks:` names a field of it (the integration knows
 * best), else its provider's (GitHub's OAuth app, which the catalog gives no script, signs as the GitHub App does),
 * else the generic mode.
 */
export function routeOf(integration: IntegrationConfig): WebhookRoute {
  const settings = integration.webhooks;
  const generic =
    settings?.signatureHeader !== undefined || settings?.connectionField !== undefined || settings?.typeField !== undefined;
  if (generic) return GENERIC;
  const provider = integration.provider;
  const script = provider?.webhook_routing_script;
  if (script !== undefined && BY_SCRIPT[script]) return BY_SCRIPT[script];
  if (provider !== undefined && (provider.name === 'github' || provider.name.startsWith('github-app'))) return GITHUB;
  return GENERIC;
}
