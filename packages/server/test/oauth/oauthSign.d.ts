// oauth-sign ships no types and DefinitelyTyped has none: what the OAuth 1.0a test provider calls, as its
// index.js (0.9.0) defines it.
declare module 'oauth-sign' {
  /**
   * Decoded request parameters; a name sent more than once maps to all its values, which the signature base string
   * lists one pair each (RFC 5849 section 3.4.1.3.2).
   */
  export type OAuthSignParams = Readonly<Record<string, string | readonly string[]>>;

  /**
   * The RFC 5849 section 3.4.1 signature base string: `httpMethod`, `baseUri` (already without query or fragment)
   * and `params` normalised, each part percent-encoded.
   */
  export function generateBase(httpMethod: string, baseUri: string, params: OAuthSignParams): string;

  /** HMAC-SHA1 of that base string keyed by `consumerSecret&tokenSecret`, each encoded first; base64. */
  export function hmacsign(
    httpMethod: string,
    baseUri: string,
    params: OAuthSignParams,
    consumerSecret: string,
    tokenSecret?: string,
  ): string;
}
