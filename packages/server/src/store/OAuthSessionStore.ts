import { createHash } from 'node:crypto';
import type { ConnectionAttributes } from './ConnectionAttributes';
import type { McpFlowPart } from './McpFlowPart';

/** What /oauth/connect remembers for its callback, bound to the `state` value it sent the provider. */
export interface OAuthSession {
  readonly providerConfigKey: string;
  readonly connectionId: string;
  /** The integration's mode: MCP flows are OAuth 2 flows whose client and URLs are in `mcp`; APP is a GitHub App install; CUSTOM an
   * install with the user's OAuth (see api/oauth/githubAppOAuthFlow.ts). */
  readonly authMode: 'OAUTH2' | 'OAUTH1' | 'MCP_OAUTH2' | 'MCP_OAUTH2_GENERIC' | 'APP' | 'CUSTOM';
  /** The redirect_uri sent to the provider; the token request must repeat it exactly. */
  readonly callbackUrl: string;
  /** The Connection's config: the `params[…]` of the connect request. */
  readonly connectionConfig: Readonly<Record<string, string>>;
  /** PKCE code verifier (OAuth 2, unless the provider disables PKCE). */
  readonly codeVerifier?: string;
  /** The temporary token (OAuth 1.0a), which the callback must bring back. */
  readonly requestToken?: string;
  /** The temporary token's secret (OAuth 1.0a), needed to sign the access token request. */
  readonly requestTokenSecret?: string;
  /** The frontend's WebSocket, when the result goes there rather than to a postMessage page. */
  readonly wsClientId?: string;
  /** A flow started with a connect session: the end user and tags its Connection gets at the callback. */
  readonly attributes?: ConnectionAttributes;
  /** MCP OAuth: the client, URLs and resource the flow found or registered at /oauth/connect. */
  readonly mcp?: McpFlowPart;
  /** When /oauth/connect started the flow (epoch ms): its `connect` operation, recorded at the callback, starts then. */
  readonly startedAt?: number;
}

/**
 * OAuth sessions in the database, so that a callback finds its session after a restart or on another API process.
 * The key is a SHA-256 of `state` (the database never holds a value that could complete a flow), the data is
 * sealed with the credential cipher bound to that hash, and `consume` deletes the row as it reads it, so a
 * `state` completes one flow. SQLite and PostgreSQL implement it alike.
 */
export interface OAuthSessionStore {
  /** Stores a session under `state` until `expiresAt` (epoch ms). @throws WorkerError `storage_error` */
  create(state: string, session: OAuthSession, expiresAt: number): Promise<void>;
  /**
   * The session of `state`, left in place; undefined when there is none or it has expired. A callback reads it first
   * and consumes it only once its flow completes or the provider reported an error for it, so that a failed callback
   * carrying someone else's state does not use that state up. @throws WorkerError `storage_error`
   */
  peek(state: string): Promise<OAuthSession | undefined>;
  /**
   * The session of `state`, removed in the same statement so that no second callback can use it; undefined when
   * there is none or it has expired. @throws WorkerError `storage_error`
   */
  consume(state: string): Promise<OAuthSession | undefined>;
  /** For `rotate-key`: drops sessions sealed with another key than `keyId` (they live minutes; a flow restarts). */
  dropSealedWithOtherKeys(keyId: string): Promise<void>;
}

/** The key of a session: a SHA-256 of its `state`, so the database never holds a value that could complete a flow. */
export function hashOf(state: string): string {
  return createHash('sha256').update(state).digest('hex');
}
