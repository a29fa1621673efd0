import { createPrivateKey, type KeyObject } from 'node:crypto';
import { WorkerError } from '../errors';

/** jose (some 80 modules, ~90 ms of CPU) loads with the first JWT signed, not at every start of the server. */
const jose = () => require('jose') as typeof import('jose');

/**
 * A JWT (RFC 7519) of `payload`, signed with a PEM private key with the header's `alg` (RS256 for Google's service
 * accounts, Salesforce's and ServiceNow's JWT bearer grants, RFC 7523): with jose, the maintained JOSE library (MIT)
 * the JWT mode uses too.
 * @param header the JOSE header's fields, `alg` among them
 * @throws WorkerError `invalid_credentials` when the key is not a PEM private key or cannot sign with `alg` (the
 *   message quotes no key)
 */
export async function signJwt(
  header: Readonly<Record<string, string>>,
  payload: Readonly<Record<string, unknown>>,
  pem: string,
): Promise<string> {
  let key: KeyObject;
  try {
    // Keys pasted into a form often come with their line breaks written as `\n`.
    key = createPrivateKey(pem.includes('\\n') ? pem.replaceAll('\\n', '\n') : pem);
  } catch {
    throw new WorkerError('invalid_credentials', 'the private key to sign the JWT with is not a PEM private key');
  }
  const alg = header['alg'] ?? 'RS256';
  try {
    return await new (jose().SignJWT)({ ...payload }).setProtectedHeader({ ...header, alg }).sign(key);
  } catch {
    throw new WorkerError('invalid_credentials', `the private key given cannot sign a JWT with ${alg}`);
  }
}
