import type { DashboardSession } from '../../../store/DashboardSessionStore';
import type { ApiSettings } from '../../ApiContext';

/** How one signs in to the dashboard. */
export type SignInMethod = 'secret_key' | 'password';

/** What `GET`, `POST /dashboard/session` answer. */
export interface SessionState {
  readonly signedIn: boolean;
  /** No NANGO_SECRET_KEY and no dashboard user: the API, and so the dashboard, needs no sign-in. */
  readonly open: boolean;
  readonly methods: SignInMethod[];
  readonly user?: string;
  readonly csrfToken?: string;
  /** ISO 8601. */
  readonly expiresAt?: string;
}

/** The sign-in methods this server takes: the secret key when it has one, a user and password when set. */
export function methodsOf(settings: ApiSettings): SignInMethod[] {
  const methods: SignInMethod[] = [];
  if (settings.secretKey !== undefined) methods.push('secret_key');
  if (settings.dashboard?.user !== undefined) methods.push('password');
  return methods;
}

/** The state of a request's session (or of none). */
export function sessionState(settings: ApiSettings, session: DashboardSession | undefined): SessionState {
  const methods = methodsOf(settings);
  const base = { open: methods.length === 0, methods };
  if (session === undefined) return { signedIn: false, ...base };
  return {
    signedIn: true,
    ...base,
    user: session.user,
    csrfToken: session.csrfToken,
    expiresAt: new Date(session.expiresAt).toISOString(),
  };
}
