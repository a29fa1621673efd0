/**
 * Entries of the modes this server runs that do not connect in the catalog walk, each under the reason it does not:
 * what our server deliberately does otherwise, or a feature it lacks. The walk fails when one of these connects (take
 * it off) or when an entry not listed fails (fix it, or list it here with its reason). Measured with
 * @nangohq/providers 0.71.10.
 */

const HOST_FROM_CONNECTION =
  "base_url's host, its domain or the whole URL is a value the user types (`https://${connectionConfig.hostname}`, " +
  '`https://api.${connectionConfig.siteParameter}`, `${connectionConfig.instance_url}`): this server lets a ' +
  "Connection's value fill only one label of a host whose domain the catalog fixes, so whoever sets a Connection's " +
  'config cannot send its credentials to a host of their choosing (docs/integrations-yaml.md); such an integration ' +
  'needs its own base_url in integrations.yaml';
const TEMPLATE_FUNCTION =
  "a header or base_url uses Nango's template functions or values our templates do not have: ${base64(…)}, " +
  "${awsSigV4(…)}, ${now:…}, ${random}, the integration's ${clientId} and ${clientSecret}, ${apiSubdomain}";
const ALTERNATIVES =
  "Nango's `A || B` alternatives: we take the last, and here it is the one that cannot be used (Zoho's token URL is " +
  'the `accounts-server` a callback brings, a whole URL; Freshsales takes a hidden empty subdomain)';
const VERIFICATION_BODY =
  "the entry's verification call carries the key in a request body, which our /api-auth verification does not send";
const VERIFICATION_PLACEHOLDER =
  'the verification endpoint holds `${credentials.apiKey}`, which our verification does not fill (filling it would ' +
  'put the key in a path that spans and logs show)';
const HOST_LABEL_DOTS =
  "the value for the host's label holds a dot (`xk7mdf.eu-5`), and a Connection's value in a host must be one DNS label";
const OAUTH1_PLAINTEXT = 'OAuth 1.0a with the PLAINTEXT signature method, which this server does not offer (HMAC-SHA1 only)';
const CREDENTIAL_IN_BASE_URL =
  'the API key is part of base_url (`https://api.telegram.org/bot${apiKey}`), where this server allows no credential';

const AUTH_HOST_FROM_CONNECTION =
  "the authorization or token URL's host is (or holds more than one label of) a value the user types " +
  '(`https://${connectionConfig.domain}/…`, `https://api.amazon.${connectionConfig.extension}/…`): the OAuth flow ' +
  'fills a host as base URLs are filled, one label under a domain the catalog fixes';
const CREDENTIAL_IN_VERIFICATION_URL =
  'the verification endpoint puts a secret credential in the URL, which this server never sends (a URL shows in traces and logs)';
const EXAMPLE_NOT_IN_FORMAT =
  "the walk's value for a field comes from its example, which does not match the field's own format " +
  '(`a1b2c3d4-****-…` for a UUID): the server refuses it, as it should';
const NO_BASE_URL =
  "Nango's generic unauthenticated entry names no API: its user writes the base_url in integrations.yaml, which the " +
  'walk cannot guess (test/authModes/none.integration.test.ts connects one with its own base_url)';

/** Entry name → why it does not connect. */
export const EXCLUDED: ReadonlyMap<string, string> = new Map(
  (
    [
      [
        HOST_FROM_CONNECTION,
        [
          '1password-events',
          '1password-scim',
          'absorb-lms',
          'active-campaign',
          'adobe-commerce',
          'adobe-workfront',
          'agiloft',
          'aws-scim',
          'azure-devops',
          'back-market',
          'baserow',
          'battlenet',
          'bitdefender',
          'blackbaud-basic',
          'braze',
          'builder-io-private',
          'builder-io-public',
          'bullhorn',
          'canvas-lms',
          'cdw',
          'chatgpt-enterprise',
          'cisco-duo-admin',
          'clio',
          'clover',
          'codeclimate',
          'confluence-data-center',
          'connectsecure',
          'contentstack',
          'datacandy',
          'datadog',
          'datadog-oauth',
          'dentally',
          'discourse',
          'exact-online',
          'fern',
          'figma-scim',
          'fillout',
          'fillout-api-key',
          'freshworks',
          'gerrit',
          'ghost-admin',
          'ghost-content',
          'gitlab-group-token',
          'gitlab-pat',
          'glean',
          'glean-oauth',
          'grafana',
          'greenfield-meditech',
          'greenhouse-assessment',
          'haileyhr',
          'highq',
          'infor',
          'jiminny',
          'jira-data-center',
          'jira-data-center-api-key',
          'jira-data-center-basic',
          'listmonk',
          'looker-oauth',
          'loom-scim',
          'make',
          'mattermost',
          'maximizer-on-premise',
          'maxio',
          'meilisearch',
          'metabase',
          'microsoft-dataverse',
          'microsoft-dynamics-365-finance-and-operations',
          'n8n',
          'next-cloud-ocs',
          'ninjaone-saas-backup',
          'odoo',
          'odoo-api-key',
          'okta-api-key',
          'oracle-hcm',
          'phrase',
          'pingone',
          'pipedrive',
          'practicefusion',
          'prtg-classic',
          'resova',
          'revolut-business',
          'rydership',
          'sage-people',
          'salesforce',
          'salesforce-experience-cloud',
          'salesforce-sandbox',
          'sap-odata-basic',
          'sentinelone',
          'sentry',
          'sentry-oauth',
          'smartsheet',
          'snipe-it',
          'snowflake',
          'splunk',
          'statamic',
          'streamline-ai',
          'supabase',
          'tanium',
          'teamwork',
          'transporeon-carrier-basic',
          'trigger-dev',
          'twenty-crm-self-hosted',
          'ukg-pro',
          'ukg-pro-wfm',
          'woocommerce',
          'workato',
          'workday',
          'workday-oauth',
          'workramp',
          'wrike',
          'yahoo',
          'zoho',
          'zoho-bigin',
          'zoho-books',
          'zoho-crm',
          'zoho-inventory',
          'zoho-invoice',
          'zoho-mail',
          'zoho-recruit',
        ],
      ],
      [
        TEMPLATE_FUNCTION,
        [
          'aws',
          'aws-iam',
          'aws-inspector2',
          'aws-multi-service',
          'etsy',
          'getty-images',
          'myob',
          'pleo-api-key',
          'walmart',
          'zendesk-api-key',
        ],
      ],
      [ALTERNATIVES, ['freshsales', 'zoho-calendar', 'zoho-desk', 'zoho-people']],
      [VERIFICATION_BODY, ['adyntel', 'mandrill']],
      [VERIFICATION_PLACEHOLDER, ['jazzhr']],
      [HOST_LABEL_DOTS, ['quentn']],
      [OAUTH1_PLAINTEXT, ['smugmug']],
      [CREDENTIAL_IN_BASE_URL, ['telegram']],
      [AUTH_HOST_FROM_CONNECTION, ['amazon', 'amazon-selling-partner', 'amazon-selling-partner-beta', 'servicenow']],
      [CREDENTIAL_IN_VERIFICATION_URL, ['algolia']],
      [EXAMPLE_NOT_IN_FORMAT, ['cin7-core']],
      [NO_BASE_URL, ['unauthenticated']],
    ] as const
  ).flatMap(([reason, names]) => names.map((name) => [name, reason] as const)),
);
