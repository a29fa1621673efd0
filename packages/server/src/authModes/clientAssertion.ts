import { createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';

/** jose (some 80 modules) loads with the first token signed, not at every start of the server. */
const jose = () => require('jose') as typeof import('jose');

/** How long a client assertion is good for: RFC 7523 asks for a short life, and it is used at once. */
const ASSERTION_LIFE_S = 300;

/** A private key as the user gave it: a PEM (PKCS#8 or PKCS#1/SEC1) or a private JWK, as JSON text. */
export interface ClientKey {
  readonly key: KeyObject;
  /** The JWS algorithm it signs with: the JWK's `alg` when it names one, else the key type's usual one. */
  readonly alg: string;
  /** The JWK's `kid`, sent in the JWT header so the provider finds the public key registered for it. */
  readonly kid: string | undefined;
}

/**
 * Reads a client's private key (node:crypto reads both PEM and JWK, synchronously, so a bad key is refused with the
 * other credential problems before any request).
 * @returns the key, or a problem naming the field (never the key)
 */
export function readClientKey(text: string, field: string): ClientKey | { problem: string } {
  const trimmed = text.trim();
  try {
    if (trimmed.startsWith('{')) {
      const jwk = JSON.parse(trimmed) as Record<string, unknown>;
      const key = createPrivateKey({ key: jwk as never, format: 'jwk' });
      const alg = typeof jwk['alg'] === 'string' ? jwk['alg'] : algorithmOf(key);
      return { key, alg, kid: typeof jwk['kid'] === 'string' ? jwk['kid'] : undefined };
    }
    // A PEM pasted into a one-line field often has its line breaks written as `\n`.
    const key = createPrivateKey(trimmed.replace(/\\n/g, '\n'));
    return { key, alg: algorithmOf(key), kid: undefined };
  } catch {
    return { problem: `${field} must be a private key: a PEM (-----BEGIN PRIVATE KEY-----) or a private JWK as JSON` };
  }
}

/**
 * A client assertion (RFC 7523 2.2, OpenID Connect's private_key_jwt): `iss` and `sub` the client id, `aud` the token
 * URL, a fresh `jti`, five minutes of life. Signed with jose, a maintained JOSE library (MIT), rather than by hand.
 */
export async function clientAssertion(clientId: string, tokenUrl: string, key: ClientKey): Promise<string> {
  const jwt = new (jose().SignJWT)({})
    .setProtectedHeader({ alg: key.alg, typ: 'JWT', ...(key.kid !== undefined && { kid: key.kid }) })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(tokenUrl)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime(`${ASSERTION_LIFE_S}s`);
  return jwt.sign(key.key);
}

function algorithmOf(key: KeyObject): string {
  switch (key.asymmetricKeyType) {
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      return curve === 'secp384r1' ? 'ES384' : curve === 'secp521r1' ? 'ES512' : 'ES256';
    }
    case 'ed25519':
      return 'EdDSA';
    default:
      return 'RS256';
  }
}
