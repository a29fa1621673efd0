import type { ClientAuthMethod } from './McpClientStore';

/**
 * What an MCP OAuth flow found at /oauth/connect and its callback reuses (kept in the flow's sealed session): the
 * client, where the user goes and where the code is traded, and for which resource. Nothing is discovered twice, so
 * the callback trades the code exactly where the flow said it would.
 */
export interface McpFlowPart {
  readonly clientId: string;
  /** Absent for a public client. */
  readonly clientSecret?: string;
  readonly authMethod: ClientAuthMethod;
  readonly authorizationUrl: string;
  readonly tokenUrl: string;
  /** RFC 8707 `resource`, sent with the authorization, token and refresh requests. */
  readonly resource?: string;
  /** Scopes the flow asks for when the integration sets none (the resource's `scopes_supported`). */
  readonly scopes: readonly string[];
  /** MCP_OAUTH2_GENERIC: the MCP server the user named, where the Connection's requests go. */
  readonly serverUrl?: string;
}
