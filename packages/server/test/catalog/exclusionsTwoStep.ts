/**
 * TWO_STEP entries that do not connect in the catalog walk, each under its reason (see exclusions.ts, which takes
 * these in). Measured with @nangohq/providers 0.71.10.
 */
import { HOST_FROM_CONNECTION } from './exclusionReasons';

const ASSERTION =
  "the entry signs a client assertion (`assertion:`, a JWT or SAML document made per token request from the user's " +
  'private key), which this server does not make yet: its TWO_STEP handler signs only the `token:` JWT (RS256)';
const XML_BODY = "the token request's body is XML (`body_format: xml`), which this server does not write";
const COOKIES =
  "the API takes the login's cookies (`token_response_headers: [set-cookie]`, then `${credentials._cookies}`), which " +
  'this server does not keep';
const TOKEN_IN_QUERY = "the token goes in the API's query (`proxy.query`), which the TWO_STEP handler does not fill";
const INTEGRATION_CONFIG =
  "the token request reads the integration's own settings (`integration_config`: a client id and secret set once " +
  'for every Connection), which integrations here do not hold';
const EMPTY_HIDDEN_DEFAULT =
  'the token URL holds a hidden connection_config field (`version`) whose default is empty, so no URL can be made';
const TOKEN_URL_FROM_CONNECTION =
  'the token URL is a whole URL the user types (`https://${connectionConfig.tokenUrl}`): its host is not one the ' +
  'catalog fixes, so the walk cannot point it at its mock';

/** Entry name → why it does not connect. */
export const TWO_STEP_EXCLUDED: readonly (readonly [string, readonly string[]])[] = [
  [
    HOST_FROM_CONNECTION,
    [
      '3cx',
      'altrata',
      'aspire',
      'docuware',
      'drupal',
      'infor-cc',
      'looker',
      'modmed',
      'nable-ncentral',
      'netsapiens',
      'odoo-cc',
      'orange-logic',
      'passportal',
      'pverify',
      'sage-300-cre',
      'salesforce-cdp',
      'salesforce-jwt',
      'sap-fieldglass',
      'sellercloud',
      'servicenow-jwt',
      'shopworks',
      'tableau',
      'tripletex',
      'ukg-pro-wfm-ropc',
      'workday-cc',
      'workday-refresh-token',
    ],
  ],
  [
    ASSERTION,
    [
      'apple-business-manager',
      'epic',
      'microsoft-oauth2-cc-cert',
      'netsuite-client-credentials',
      'sap-success-factors',
      'workday-adaptive-planning',
    ],
  ],
  [XML_BODY, ['sage-intacct']],
  [COOKIES, ['sap-business-one']],
  [TOKEN_IN_QUERY, ['shopvox']],
  [INTEGRATION_CONFIG, ['sage-intacct-cc']],
  [EMPTY_HIDDEN_DEFAULT, ['veeva-vault']],
  [TOKEN_URL_FROM_CONNECTION, ['veeva-vault-oauth']],
];
