/**
 * Entries of the modes this server runs that do not connect in the catalog walk, each under the reason it does not:
 * what our server deliberately does otherwise, or a feature it lacks. The walk fails when one of these connects (take
 * it off) or when an entry not listed fails (fix it, or list it here with its reason). Measured with
 * @nangohq/providers 0.71.10.
 */

import { TWO_STEP_EXCLUDED } from './exclusionsTwoStep';

const TYPED_HOST_NOT_A_NAME =
  "the field that makes up base_url's (or the token URL's) host holds a scheme, port or path (`https://gerrit.example.com:8443/r`): a host " +
  'the user types must be a host name alone, since a Connection value may not set the scheme or the port ' +
  '(docs/integrations-yaml.md, "Hosts a user types")';
const CLIENT_SECRET_TO_TYPED_HOST =
  "the token URL's host is a value the user types (`https://${connectionConfig.hostname}/oauth/token`): the " +
  "integration's OAuth client secret is never sent to such a host, so the operator of one instance writes its " +
  'token_url in integrations.yaml (docs/integrations-yaml.md, "Hosts a user types")';
const WHOLE_URL_FROM_CONNECTION =
  'base_url is one per-Connection value holding the scheme too (`${connectionConfig.instance_url}`, often from the ' +
  "token response): a Connection value may make up a host, never the scheme or port, so such an integration's " +
  'base_url is written in integrations.yaml';
const NO_AUTHORIZATION_URL =
  "the entry has no authorization_url: Sentry's public integrations install the app and send the code in a webhook, a " +
  'flow this server lacks';
const TEMPLATE_FUNCTION =
  "a header or base_url uses Nango's template functions or values our templates do not have: ${base64(…)}, " +
  "${awsSigV4(…)}, ${now:…}, ${random}, ${sha256Base64(…)}, the integration's ${clientId} and ${clientSecret}, ${apiSubdomain}";
const ALTERNATIVES =
  "Nango's `A || B` alternatives: we take the last, and here it is the one that cannot be used (Zoho's token URL is " +
  "the `accounts-server` a callback brings and its base_url the token response's `api_domain`, whole URLs; " +
  'Freshsales and Metabase take a hidden empty field)';
const VERIFICATION_BODY =
  "the entry's verification call carries the key in a request body, which our /api-auth verification does not send";
const VERIFICATION_PLACEHOLDER =
  'the verification endpoint holds `${credentials.apiKey}`, which our verification does not fill (filling it would ' +
  'put the key in a path that spans and logs show)';
const HOST_LABEL_DOTS =
  "the value for the host's label holds a dot (`xk7mdf.eu-5`), and a Connection's value in a host must be one DNS label";
const MCP_SERVER_HTTPS =
  "the user's mcp_server_url must be https (the entry's pattern; without NANGO_MCP_ALLOW_LOCAL_SERVERS the server also " +
  "refuses http), and the walk's mock speaks plain http, so discovery cannot reach it: a limit of the walk, not of the " +
  'server. Discovery (RFC 9728, RFC 8414), registration (RFC 7591) and the flow are tested against oidc-provider in ' +
  'test/mcp/';
const OAUTH1_PLAINTEXT = 'OAuth 1.0a with the PLAINTEXT signature method, which this server does not offer (HMAC-SHA1 only)';
const CREDENTIAL_IN_BASE_URL =
  'the API key is part of base_url (`https://api.telegram.org/bot${apiKey}`), where this server allows no credential';

const CREDENTIAL_IN_VERIFICATION_URL =
  'the verification endpoint puts a secret credential in the URL, which this server never sends (a URL shows in traces and logs)';
const EXAMPLE_NOT_IN_FORMAT =
  "the walk's value for a field comes from its example, which does not match the field's own format " +
  '(`a1b2c3d4-****-…` for a UUID): the server refuses it, as it should';
const NO_BASE_URL =
  "Nango's generic unauthenticated entry names no API: its user writes the base_url in integrations.yaml, which the " +
  'walk cannot guess (test/authModes/none.integration.test.ts connects one with its own base_url)';

const CC_WHOLE_BASE_URL =
  "OAUTH2_CC: base_url is one per-Connection value (Salesforce's `${connectionConfig.instance_url}` from the token " +
  "response, Sophos's data-region URL): set base_url in integrations.yaml";
const CC_API_KEY_HEADER =
  "OAUTH2_CC: the entry's Authorization header names `${apiKey}`, which client-credentials Connections do not hold";
/** Entry name → why it does not connect. */
export const EXCLUDED: ReadonlyMap<string, string> = new Map(
  (
    [
      [TYPED_HOST_NOT_A_NAME, ['adoxx-cc', 'azure-devops', 'blackbaud-basic', 'chatgpt-enterprise', 'gerrit', 'splunk']],
      [
        CLIENT_SECRET_TO_TYPED_HOST,
        [
          'absorb-lms',
          'adobe-workfront',
          'agiloft',
          'amazon',
          'canvas-lms',
          'confluence-data-center',
          'freshworks',
          'glean-oauth',
          'greenfield-meditech',
          'highq',
          'infor',
          'jira-data-center',
          'looker-oauth',
          'maximizer-on-premise',
          'odoo',
          'practicefusion',
          'servicenow',
          'snowflake',
          'workday-oauth',
        ],
      ],
      [
        WHOLE_URL_FROM_CONNECTION,
        [
          'aws-scim',
          'baserow',
          'bitdefender',
          'bullhorn',
          'fillout',
          'jira-data-center-api-key',
          'jira-data-center-basic',
          'meilisearch',
          'n8n',
          'pipedrive',
          'salesforce',
          'salesforce-experience-cloud',
          'salesforce-sandbox',
          'teamwork',
        ],
      ],
      [
        TEMPLATE_FUNCTION,
        [
          'aws',
          'aws-iam',
          'aws-inspector2',
          'aws-multi-service',
          'cisco-duo-admin',
          'connectsecure',
          'etsy',
          'getty-images',
          'myob',
          'pleo-api-key',
          'streamline-ai',
          'walmart',
          'zendesk-api-key',
        ],
      ],
      [
        ALTERNATIVES,
        [
          'freshsales',
          'metabase',
          'zoho',
          'zoho-bigin',
          'zoho-books',
          'zoho-calendar',
          'zoho-crm',
          'zoho-desk',
          'zoho-inventory',
          'zoho-invoice',
          'zoho-mail',
          'zoho-people',
          'zoho-recruit',
        ],
      ],
      [NO_AUTHORIZATION_URL, ['sentry-oauth']],
      [VERIFICATION_BODY, ['adyntel', 'mandrill']],
      [VERIFICATION_PLACEHOLDER, ['jazzhr']],
      [HOST_LABEL_DOTS, ['quentn', 'zuora']],
      [CC_WHOLE_BASE_URL, ['salesforce-cc', 'sophos-central']],
      [CC_API_KEY_HEADER, ['certn-partner']],
      [OAUTH1_PLAINTEXT, ['smugmug']],
      [CREDENTIAL_IN_BASE_URL, ['telegram']],
      [CREDENTIAL_IN_VERIFICATION_URL, ['algolia']],
      [EXAMPLE_NOT_IN_FORMAT, ['cin7-core']],
      [NO_BASE_URL, ['unauthenticated']],
      [MCP_SERVER_HTTPS, ['cloudflare-mcp', 'mcp-generic']],
      ...TWO_STEP_EXCLUDED,
    ] as const
  ).flatMap(([reason, names]) => names.map((name) => [name, reason] as const)),
);
