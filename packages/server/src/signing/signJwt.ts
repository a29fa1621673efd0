import { createPrivateKey, sign } from 'node:crypto';
import { WorkerError } from '../errors';

/**
 * A JWS compact serialisation (RFC 7515) of `payload`, signed RS256 (RSASSA-PKCS1-v1_5 with SHA-256) with a PEM
 * private key: what Google's service accounts, Salesforce's and ServiceNow's JWT bearer grants (RFC 7523) take. Node's
 * own crypto signs it; a JWT library would add nothing for one algorithm and a fixed header.
 * @param header the JOSE header's fields; `alg` is always RS256
 * @throws WorkerError `invalid_credentials` when the key is not a PEM private key (the message quotes no key)
 */
export function signJwt(
  header: Readonly<Record<string, string>>,
  payload: Readonly<Record<string, unknown>>,
  pem: string,
): string {
  let key;
  try {
    // Keys pasted into a form often come with their line breaks written as `\n`.
    key = createPrivateKey(pem.includes('\\n') ? pem.replaceAll('\\n', '\n') : pem);
  } catch {
    throw new WorkerError('invalid_credentials', 'the private key to sign the JWT with is not a PEM private key');
  }
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ ...header, alg: 'RS256' })}.${encode(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}
