import type { MessageType, NangoMessage } from '@nangohq/protocol';
import { EncodedJson } from '../broker/EncodedJson';
import { connectionJson } from '../store/storedConfig';
import { deleteConnection } from '../operations/deleteConnection';
import { getConnection } from '../operations/getConnection';
import { getConnectionsForIntegration } from '../operations/getConnectionsForIntegration';
import { getConnectionsForUserId } from '../operations/getConnectionsForUserId';
import { getMetadata } from '../operations/getMetadata';
import { getRawTokenResponse } from '../operations/getRawTokenResponse';
import { getToken } from '../operations/getToken';
import type { OperationContext } from '../operations/OperationContext';
import { listConnections } from '../operations/listConnections';
import { registerConnection } from '../operations/registerConnection';
import { requestKey } from './requestKey';
import { setMetadata } from '../operations/setMetadata';
import { triggerAction } from '../operations/triggerAction';
import { updateConnectionConfig } from '../operations/updateConnectionConfig';
import { updateConnectionCredentials } from '../operations/updateConnectionCredentials';
import { updateMetadata } from '../operations/updateMetadata';

/** What a handler may know of the request besides the message: what identifies it across deliveries. */
export interface RequestInfo {
  readonly correlationId?: string | undefined;
  /** The body as received. */
  readonly content?: Buffer;
}

type Handler<T extends MessageType> = (
  context: OperationContext,
  message: Extract<NangoMessage, { type: T }>,
  request: RequestInfo,
) => unknown;

/** One handler per message type; the compiler checks that none is missing. */
export const HANDLERS: { readonly [T in MessageType]: Handler<T> } = {
  // A redelivery of a registration already stored is answered as the success it was (see saveConnection).
  registerConnection: (context, message, request) => registerConnection(context, message, requestKey(request)),
  updateConnectionConfig,
  updateConnectionCredentials,
  getConnectionsForUserId,
  getConnectionsForIntegration,
  triggerAction: (context, message) => triggerAction(context, message),
  getToken,
  getRawTokenResponse,
  // The reply splices the config in as stored: a large one is neither parsed nor encoded again.
  getConnection: async (context, message) => new EncodedJson(connectionJson(await getConnection(context, message))),
  listConnections,
  deleteConnection,
  getMetadata,
  setMetadata,
  updateMetadata,
};

/** Runs the handler for a validated message. */
export function dispatch(context: OperationContext, message: NangoMessage, request: RequestInfo = {}): unknown {
  const handler = HANDLERS[message.type] as Handler<MessageType>;
  return handler(context, message as never, request);
}
