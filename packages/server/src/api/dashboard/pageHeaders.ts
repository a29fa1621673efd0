/**
 * The Content-Security-Policy of the dashboard's pages: its own script and stylesheet only (no inline code, no other
 * host), calls to this server only, never framed, no <base>, forms posting nowhere else. With it, text a user typed
 * or the server returned cannot run as code even if a page showed it as markup by mistake.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** Headers of every dashboard reply (page, file or the not-built notice). */
export const DASHBOARD_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};
