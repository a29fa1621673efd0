/**
 * @nangohq/node (this repository's): the server's REST API from Node.js, with the methods and wire format of the
 * official `@nangohq/node` 0.71 (spec 5).
 *
 *   import { Nango } from '@nangohq/node';
 *   const nango = new Nango({ host: 'http://localhost:3003', secretKey: '<NANGO_SECRET_KEY>' });
 *   const { configs } = await nango.listIntegrations();
 */
import { Nango } from './Nango';

export { Nango, DEFAULT_HOST } from './Nango';
export { NangoError, parseRetryAfter, type NangoErrorCode, type NangoErrorDetails } from './NangoError';
export { verifyIncomingWebhookRequest } from './webhooks';
export type * from './types';
export type {
  GetOperationOptions,
  GetOperationReply,
  ListOperationsFilters,
  ListOperationsReply,
  Operation,
  OperationKind,
  OperationMessage,
  OperationStatus,
  TimeFilter,
} from './logs';
export default Nango;
