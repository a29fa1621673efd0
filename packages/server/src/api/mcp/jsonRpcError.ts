/** A JSON-RPC error answer with no id, as the MCP SDK's transport gives for an HTTP request it refuses whole. */
export function jsonRpcError(code: number, message: string) {
  return { jsonrpc: '2.0', error: { code, message }, id: null } as const;
}
