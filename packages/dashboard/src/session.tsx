import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { request, setCsrfToken } from './api';
import type { SessionState } from './types';

/** The session as the server tells it (GET /dashboard/session), and the way to end it. */
export interface Session {
  state: SessionState;
  /** Re-reads the state from the server (after sign-in or sign-out). */
  reload: () => Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionContext');
  return session;
}

export async function readSession(): Promise<SessionState> {
  const state = (await request<SessionState>('GET', '/dashboard/session')).body;
  setCsrfToken(state.csrfToken ?? null);
  return state;
}

export async function signIn(body: { secretKey: string } | { user: string; password: string }): Promise<SessionState> {
  const state = (await request<SessionState>('POST', '/dashboard/session', { body })).body;
  setCsrfToken(state.csrfToken ?? null);
  return state;
}

export async function signOut(): Promise<void> {
  await request('DELETE', '/dashboard/session');
  setCsrfToken(null);
}
