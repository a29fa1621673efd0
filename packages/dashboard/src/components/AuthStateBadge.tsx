import type { ConnectionListItem } from '../connectionTypes';
import { StatusBadge } from './StatusBadge';

/** Whether a listed Connection must be authorised again: an `auth` entry in its `errors`. */
export function needsReauthorization(connection: Pick<ConnectionListItem, 'errors'>): boolean {
  return connection.errors.some((error) => error.type === 'auth');
}

/**
 * A Connection's authorisation as a badge: "ok", or "needs reauthorization" with the provider's reason beside it
 * (as text: a tooltip alone is lost to keyboards and screen readers).
 */
export function AuthStateBadge(props: { connection: Pick<ConnectionListItem, 'errors'>; withReason?: boolean }) {
  const error = props.connection.errors.find((item) => item.type === 'auth');
  if (!error) return <StatusBadge status="ok" />;
  return (
    <span class="auth-state">
      <StatusBadge status="needs_reauthorization" />
      {props.withReason && error.message && <span class="auth-reason">{error.message}</span>}
    </span>
  );
}
