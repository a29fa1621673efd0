/**
 * @nangohq/node-client: call the Nango worker from app code.
 *
 *   import Nango from '@nangohq/node-client';
 *   const nango = new Nango('localhost', 5672);
 *   await nango.connect();
 *   await nango.triggerAction('slack', 'notify', 1, { msg: 'Hello' });
 *   await nango.close();
 */
import { ERROR_CODES } from '@nangohq/protocol';
import { Nango } from './Nango';
import { NangoError } from './NangoError';

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

// CommonJS apps write `const Nango = require('@nangohq/node-client'); new Nango()`, as the 2022 product's client
// allowed, and also `const { Nango } = require(...)` and `require(...).default`: the CommonJS export is the class
// itself, carrying every named export and `default`. `__esModule` (not enumerable, as TypeScript emits it) keeps
// TypeScript's and Babel's default-import interop on `.default`. The ESM entry (esm/index.mjs) reads this object.
if (typeof module === 'object' && module.exports) {
  module.exports = Object.defineProperty(Object.assign(Nango, { Nango, NangoError, ERROR_CODES, default: Nango }), '__esModule', {
    value: true,
  });
}
