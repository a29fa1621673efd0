/**
 * The 2022 product's blueprints (`extends_blueprint: <name>:<version>`) as entries of our providers catalog. A
 * blueprint gave the OAuth settings (now the catalog's) and the API's base URL and headers; the base URL is kept
 * as the blueprint had it, version path and all, because the actions written for it call endpoints relative to
 * it (`teams/{id}/channels` against Graph's `/v1.0/`). Authorization headers are left out: our worker adds the
 * auth mode's own (Bearer, Basic, an OAuth 1.0a signature) as the blueprints' did.
 */
export interface Blueprint2022 {
  /** The catalog entry it resolves to. */
  readonly provider: string;
  /** The blueprint's `requests.base_url`; undefined: the catalog's. */
  readonly baseUrl?: string;
  /** The blueprint's `requests.headers` other than Authorization. */
  readonly headers?: Readonly<Record<string, string>>;
}

const JSON_NANGO = Object.freeze({ Accept: 'application/json', 'User-Agent': 'Nango' });

/** By blueprint name; every version (`v0`, `v1`) of one name resolves alike. */
export const BLUEPRINTS_2022: Readonly<Record<string, Blueprint2022>> = Object.freeze({
  // The blueprints the 2022 repository shipped (its blueprints/ folder), with their base URLs and headers.
  slack: { provider: 'slack', baseUrl: 'https://slack.com/api/', headers: JSON_NANGO },
  github: {
    provider: 'github',
    baseUrl: 'https://api.github.com/',
    headers: { Accept: 'application/vnd.github.v3+json', 'User-Agent': 'Nango' },
  },
  hubspot: { provider: 'hubspot', baseUrl: 'https://api.hubapi.com/', headers: JSON_NANGO },
  asana: { provider: 'asana', baseUrl: 'https://app.asana.com/api/1.0/', headers: JSON_NANGO },
  intercom: { provider: 'intercom', baseUrl: 'https://api.intercom.io/', headers: JSON_NANGO },
  'ms-teams': { provider: 'microsoft-teams', baseUrl: 'https://graph.microsoft.com/v1.0/', headers: JSON_NANGO },
  trello: { provider: 'trello', baseUrl: 'https://api.trello.com/1', headers: JSON_NANGO },
  twitter1: { provider: 'twitter', baseUrl: 'https://api.twitter.com/', headers: JSON_NANGO },
  // Named in its documentation's blueprint catalog: the catalog entry of the same API, base URL included.
  'microsoft-teams': { provider: 'microsoft-teams', baseUrl: 'https://graph.microsoft.com/v1.0/' },
  twitter: { provider: 'twitter' },
  twitter2: { provider: 'twitter-v2' },
  airtable: { provider: 'airtable' },
  discord: { provider: 'discord' },
  gitlab: { provider: 'gitlab' },
  'google-calendar': { provider: 'google-calendar' },
  'google-mail': { provider: 'google-mail' },
  'greenhouse-harvest': { provider: 'greenhouse' },
  jira: { provider: 'jira' },
  klaviyo: { provider: 'klaviyo' },
  lever: { provider: 'lever' },
  notion: { provider: 'notion' },
  xero: { provider: 'xero' },
  'zoho-crm': { provider: 'zoho-crm' },
  zoom: { provider: 'zoom' },
});
