import type { OperationLog } from '../operationLog/OperationLog';

/** A Connection's credentials shown to a dashboard user. */
export interface Reveal {
  readonly integration: string;
  readonly userId: string;
  readonly endUserId?: string | undefined;
  /** The dashboard user who saw them (DashboardSession.user). */
  readonly dashboardUser: string;
  /** The credentials were refreshed first (force_refresh=true). */
  readonly forceRefresh: boolean;
}

/**
 * Records that a dashboard user was sent a Connection's credentials, as a `connection` operation named
 * `credentials_revealed` whose message names the user: who saw which secrets is kept, the secrets are not. Returns
 * the operation's id ('' when the log records nothing).
 */
export function recordReveal(log: OperationLog, reveal: Reveal): string {
  const operation = log.start({
    kind: 'connection',
    name: 'credentials_revealed',
    integration: reveal.integration,
    connectionId: reveal.userId,
    endUserId: reveal.endUserId,
    fields: { dashboardUser: reveal.dashboardUser, forceRefresh: reveal.forceRefresh },
  });
  operation.message('info', `Credentials sent to the dashboard user '${reveal.dashboardUser}'`);
  operation.end('success');
  return operation.id;
}
