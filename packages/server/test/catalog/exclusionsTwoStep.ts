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
const PATH_IN_HOST_VALUE =
  'the value a user types for the host holds a path too (`stage.ema-api.com/ema-dev`, `manageordersapi.com/onsite`, ' +
  'a whole token URL): the server refuses it as a host name, or the walk cannot point the URL made of it at its mock';
/** Entry name → why it does not connect. */
export const TWO_STEP_EXCLUDED: readonly (readonly [string, readonly string[]])[] = [
  [HOST_FROM_CONNECTION, ['salesforce-cdp', 'salesforce-jwt', 'sellercloud']],
  [PATH_IN_HOST_VALUE, ['modmed', 'shopworks', 'veeva-vault-oauth']],
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
];
