/** The end user a Connection was made for (contract C.3.1 `end_user`), set through a connect session or the API. */
export interface EndUser {
  id: string;
  email?: string;
  displayName?: string;
  tags?: Record<string, string>;
  organization?: { id: string; displayName?: string } | null;
}

/**
 * What the REST API keeps on a Connection besides its config. Connections, connect sessions and OAuth sessions all
 * carry it, so it sits below Store and the session stores, which import it from here rather than from each other.
 */
export interface ConnectionAttributes {
  tags: Record<string, string>;
  endUser: EndUser | null;
}
