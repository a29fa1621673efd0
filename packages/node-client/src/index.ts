/**
 * @nangohq/node-client: call the Nango worker from app code.
 *
 *   import Nango from '@nangohq/node-client';
 *   const nango = new Nango('localhost', 5672);
 *   await nango.connect();
 *   await nango.triggerAction('slack', 'notify', 1, { msg: 'Hello' });
 *   await nango.close();
 */
import { Nango } from './Nango';

export { Nango, type UserId } from './Nango';
export { NangoError } from './NangoError';
export type { CallOptions, NangoClientOptions, ReconnectOptions, TriggerActionOptions } from './options';
export {
  ERROR_CODES,
  type ErrorCode,
  type AuthMode,
  type NangoAuthCredentials,
  type OAuth1Credentials,
  type OAuth2Credentials,
  type ApiKeyCredentials,
  type UsernamePasswordCredentials,
  type NangoConnectionPublic,
  type NangoConnection,
  type NangoConnectionSummary,
  type NangoToken,
  type NangoMessageHandlerResult,
} from '@nangohq/protocol';
export default Nango;
