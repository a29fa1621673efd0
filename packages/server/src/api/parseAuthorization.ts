/**
 * What an Authorization header holds: nothing, a Bearer token, Basic credentials, or something malformed. Never
 * carries the header's text in any other form, so nothing built from it can echo a key.
 */
export type Authorization =
  | { readonly kind: 'none' }
  | { readonly kind: 'malformed' }
  | { readonly kind: 'bearer'; readonly token: string }
  | { readonly kind: 'basic'; readonly user: string; readonly password: string };

/** `Bearer <token>`: the scheme in any case, one space, one token without spaces, nothing after it. */
const BEARER = /^bearer (\S+)$/i;
/** `Basic <base64>`: padded standard base64 (RFC 7617 over RFC 4648 section 4), nothing after it. */
const BASIC = /^basic ((?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)$/i;

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses an Authorization header strictly: exactly `Bearer <token>`, or `Basic <base64 of user:password>` whose
 * base64 is canonical and whose text is UTF-8 with a colon. Anything else (trailing words, two spaces, a tab, another
 * scheme, unpadded base64) is `malformed`, not guessed at: a lenient parse would accept `Bearer <key> junk`.
 */
export function parseAuthorization(header: string | undefined): Authorization {
  if (header === undefined || header === '') return { kind: 'none' };
  const bearer = BEARER.exec(header);
  if (bearer) return { kind: 'bearer', token: bearer[1] as string };
  const encoded = BASIC.exec(header)?.[1];
  if (!encoded) return { kind: 'malformed' };
  const bytes = Buffer.from(encoded, 'base64');
  // Non-canonical base64 (stray bits in the last character) decodes, but not back to the same text.
  if (bytes.toString('base64') !== encoded) return { kind: 'malformed' };
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return { kind: 'malformed' };
  }
  const colon = text.indexOf(':');
  if (colon === -1) return { kind: 'malformed' };
  return { kind: 'basic', user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** What to tell a caller whose Authorization header is malformed; it never quotes the header. */
export const MALFORMED_AUTHORIZATION =
  'The Authorization header is malformed: send exactly "Bearer <key>" (one space, nothing after the key), or ' +
  '"Basic <base64 of key:password>"';
