import { createHash, createPublicKey } from 'node:crypto';

/**
 * Reads the claim templates of Nango's JWT catalog entries (`token.header`, `token.payload`, `token.signing_key`):
 * `${credentials.<field>}` and `${credentials.<field>.<part>}` (the user's inputs), `${connectionConfig.<field>}`
 * (the Connection's config; an `<id>:<secret>` string is read as `.id` and `.secret`), `${fingerprint(${credentials.<field>})}` (Snowflake's public key fingerprint of a private
 * key: `SHA256:` and the base64 SHA-256 of its SubjectPublicKeyInfo), and `A||B` (A when every value it names is
 * set, else B). A value that names something unset is "unresolved": the claim is left out, as Nango does.
 */

/** What a template may read: the user's inputs and the Connection's config. */
export interface TemplateValues {
  readonly credentials: Readonly<Record<string, unknown>>;
  readonly connectionConfig: Readonly<Record<string, unknown>>;
}

/** A template value with a placeholder whose value is not set. */
export const UNRESOLVED = Symbol('unresolved');

const FINGERPRINT = /\$\{fingerprint\(\$\{([^}]+)\}\)\}/g;
const PLACEHOLDER = /\$\{([^}]+)\}/g;

/**
 * One template string filled, or UNRESOLVED when a value it names is not set (in every `||` alternative). The text
 * is never logged: it may be a private key.
 */
export function fillTemplate(text: string, values: TemplateValues): string | typeof UNRESOLVED {
  for (const alternative of text.split('||')) {
    const filled = fillOne(alternative.trim(), values);
    if (filled !== UNRESOLVED) return filled;
  }
  return UNRESOLVED;
}

function fillOne(text: string, values: TemplateValues): string | typeof UNRESOLVED {
  let unresolved = false;
  const withFingerprints = text.replace(FINGERPRINT, (_whole, path: string) => {
    const key = lookUp(path, values);
    if (key === undefined) {
      unresolved = true;
      return '';
    }
    return publicKeyFingerprint(key);
  });
  const filled = withFingerprints.replace(PLACEHOLDER, (_whole, path: string) => {
    const value = lookUp(path, values);
    if (value === undefined) unresolved = true;
    return value ?? '';
  });
  return unresolved ? UNRESOLVED : filled;
}

/** `credentials.a.b` or `connectionConfig.a`, as a non-empty string; undefined when unset. */
function lookUp(path: string, values: TemplateValues): string | undefined {
  const [root, ...keys] = path.trim().split('.');
  let value: unknown =
    root === 'credentials' ? values.credentials : root === 'connectionConfig' ? values.connectionConfig : undefined;
  for (const key of keys) {
    // Ghost's Admin API key is one `<id>:<secret>` string, which its entry reads as `privateKey.id` and `.secret`.
    if (typeof value === 'string' && (key === 'id' || key === 'secret') && value.includes(':')) {
      const [id, secret] = value.split(':', 2);
      value = { id, secret };
    }
    if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * A claims object (`token.header` or `token.payload`) filled: strings by fillTemplate, arrays item by item (unresolved
 * items dropped), other values as written; a claim whose value is unresolved (or an array left empty) is left out.
 */
export function fillClaims(template: Readonly<Record<string, unknown>>, values: TemplateValues): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(template)) {
    if (typeof value === 'string') {
      const filled = fillTemplate(value, values);
      if (filled !== UNRESOLVED) claims[name] = filled;
    } else if (Array.isArray(value)) {
      const items = value
        .map((item) => (typeof item === 'string' ? fillTemplate(item, values) : item))
        .filter((item) => item !== UNRESOLVED);
      if (items.length > 0) claims[name] = items;
    } else if (value !== null && typeof value === 'object') {
      claims[name] = fillClaims(value as Record<string, unknown>, values);
    } else {
      claims[name] = value;
    }
  }
  return claims;
}

/**
 * A private key in PEM as users paste it: escaped `\n`s turned into line breaks, and a key on one line (or with its
 * lines joined by spaces) cut back into 64-character lines between its BEGIN and END lines.
 */
export function normalisePem(text: string): string {
  const unescaped = text.replace(/\\n/g, '\n').trim();
  const match = /^-----BEGIN ([A-Z0-9 ]+)-----\s*([\s\S]*?)\s*-----END \1-----$/.exec(unescaped);
  if (!match) return unescaped;
  const body = (match[2] ?? '').replace(/\s+/g, '');
  const lines = body.match(/.{1,64}/g) ?? [];
  return [`-----BEGIN ${match[1]}-----`, ...lines, `-----END ${match[1]}-----`].join('\n');
}

/** Snowflake's key-pair fingerprint: `SHA256:` and the base64 SHA-256 of the public key's DER SubjectPublicKeyInfo. */
export function publicKeyFingerprint(privateKeyPem: string): string {
  const der = createPublicKey(normalisePem(privateKeyPem)).export({ type: 'spki', format: 'der' });
  return `SHA256:${createHash('sha256').update(der).digest('base64')}`;
}
