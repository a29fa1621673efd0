// The `cookie` package (jshttp, as Express and Fastify parse cookies with), at 1.x: CommonJS, which the tests' module
// loader requires, where 2.x (and @fastify/cookie, which loads it) are ES modules only. No plugin: only the few
// dashboard requests that carry our cookie need it parsed, not every request through a hook.
import { parse, serialize } from 'cookie';
import type { FastifyRequest } from 'fastify';

/** The cookie a dashboard sign-in sets: its value is the session token, whose hash keys the stored session. */
export const SESSION_COOKIE = 'nango_dashboard_session';

/**
 * The Set-Cookie value of a session: HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it),
 * Path=/ (the dashboard calls the API's routes), Secure when the server's public URL is https.
 */
export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return serialize(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', path: '/', maxAge: maxAgeSeconds, secure });
}

/** The Set-Cookie value that removes the session cookie (sign-out, or a cookie whose session is gone). */
export function clearedSessionCookie(secure: boolean): string {
  return serialize(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'strict', path: '/', maxAge: 0, secure });
}

/** The session token a request carries in its cookie, if any. Parsed here, only where needed: no hook on every request. */
export function sessionTokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined || !header.includes(SESSION_COOKIE)) return undefined;
  const token = parse(header)[SESSION_COOKIE];
  return token === undefined || token === '' ? undefined : token;
}

/** Whether cookies must be Secure: the server is reached over https. */
export function secureCookies(serverUrl: string): boolean {
  return serverUrl.startsWith('https:');
}
