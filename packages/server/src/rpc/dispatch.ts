import type { MessageType, NangoMessage } from '@nangohq/protocol';
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
import { setMetadata } from '../operations/setMetadata';
import { triggerAction } from '../operations/triggerAction';
import { updateConnectionConfig } from '../operations/updateConnectionConfig';
import { updateConnectionCredentials } from '../operations/updateConnectionCredentials';
import { updateMetadata } from '../operations/updateMetadata';

type Handler<T extends MessageType> = (context: OperationContext, message: Extract<NangoMessage, { type: T }>) => unknown;

/** One handler per message type; the compiler checks that none is missing. */
export const HANDLERS: { readonly [T in MessageType]: Handler<T> } = {
  registerConnection,
  updateConnectionConfig,
  updateConnectionCredentials,
  getConnectionsForUserId,
  getConnectionsForIntegration,
  triggerAction,
  getToken,
  getRawTokenResponse,
  getConnection,
  listConnections,
  deleteConnection,
  getMetadata,
  setMetadata,
  updateMetadata,
};

/** Runs the handler for a validated message. */
export function dispatch(context: OperationContext, message: NangoMessage): unknown {
  const handler = HANDLERS[message.type] as Handler<MessageType>;
  return handler(context, message as never);
}
