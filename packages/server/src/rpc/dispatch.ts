import type { MessageType, NangoMessage } from '@nangohq/protocol';
import { deleteConnection } from './deleteConnection';
import { getConnection } from './getConnection';
import { getConnectionsForIntegration } from './getConnectionsForIntegration';
import { getConnectionsForUserId } from './getConnectionsForUserId';
import { getMetadata } from './getMetadata';
import { getRawTokenResponse } from './getRawTokenResponse';
import { getToken } from './getToken';
import type { HandlerContext } from './HandlerContext';
import { listConnections } from './listConnections';
import { registerConnection } from './registerConnection';
import { setMetadata } from './setMetadata';
import { triggerAction } from './triggerAction';
import { updateConnectionConfig } from './updateConnectionConfig';
import { updateConnectionCredentials } from './updateConnectionCredentials';
import { updateMetadata } from './updateMetadata';

export type { HandlerContext } from './HandlerContext';

type Handler<T extends MessageType> = (context: HandlerContext, message: Extract<NangoMessage, { type: T }>) => unknown;

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
export function dispatch(context: HandlerContext, message: NangoMessage): unknown {
  const handler = HANDLERS[message.type] as Handler<MessageType>;
  return handler(context, message as never);
}
