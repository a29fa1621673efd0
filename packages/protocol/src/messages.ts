import type { NangoAuthCredentials, NangoConnectionPublic } from './connection';

/**
 * Requests the client sends to the worker. Each is one JSON object whose `type` names it; the AMQP message
 * carries `correlationId` and `replyTo`, and the worker answers with a ReplyEnvelope on `replyTo`.
 */
export interface RegisterConnectionMessage {
  type: 'registerConnection';
  integration: string;
  userId: string;
  credentials: NangoAuthCredentials;
  additionalConfig?: Record<string, unknown>;
}

export interface UpdateConnectionConfigMessage {
  type: 'updateConnectionConfig';
  integration: string;
  userId: string;
  additionalConfig: Record<string, unknown>;
}

export interface UpdateConnectionCredentialsMessage {
  type: 'updateConnectionCredentials';
  integration: string;
  userId: string;
  credentials: NangoAuthCredentials;
}

export interface GetConnectionsForUserIdMessage {
  type: 'getConnectionsForUserId';
  userId: string;
}

export interface GetConnectionsForIntegrationMessage {
  type: 'getConnectionsForIntegration';
  integration: string;
}

export interface TriggerActionMessage {
  type: 'triggerAction';
  integration: string;
  action: string;
  userId: string;
  input?: Record<string, unknown>;
  /**
   * Makes the call safe to retry: the first outcome for this key (per integration and user id) is kept and
   * returned to later calls with the same key instead of running the action again.
   */
  idempotencyKey?: string;
}

/** Any request, discriminated by `type`. */
export type NangoMessage =
  | RegisterConnectionMessage
  | UpdateConnectionConfigMessage
  | UpdateConnectionCredentialsMessage
  | GetConnectionsForUserIdMessage
  | GetConnectionsForIntegrationMessage
  | TriggerActionMessage;

/** The name of a request, e.g. 'triggerAction'. */
export type MessageType = NangoMessage['type'];

/** What a successful reply's `returnValue` holds, per request type. */
export interface MessageReturnValues {
  registerConnection: undefined;
  updateConnectionConfig: undefined;
  updateConnectionCredentials: undefined;
  getConnectionsForUserId: NangoConnectionPublic[];
  getConnectionsForIntegration: NangoConnectionPublic[];
  triggerAction: unknown;
}

/** All request types, in the order of the client reference. */
export const MESSAGE_TYPES: readonly MessageType[] = [
  'registerConnection',
  'updateConnectionConfig',
  'updateConnectionCredentials',
  'getConnectionsForUserId',
  'getConnectionsForIntegration',
  'triggerAction',
];

/** AMQP header that carries the caller's deadline (epoch milliseconds); past it nobody waits for the reply. */
export const DEADLINE_HEADER = 'x-nango-deadline';

/** Largest request body the client sends and the worker accepts, unless configured otherwise: 1 MiB. */
export const DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;

/** Queue the worker consumes and the client publishes to unless NANGO_QUEUE or an option says otherwise. */
export const DEFAULT_QUEUE = 'nango.requests';
