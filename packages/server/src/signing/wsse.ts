import { createHash, randomBytes } from 'node:crypto';

/**
 * A WSSE UsernameToken (the X-WSSE header of Atom-era APIs, Emarsys's among them):
 * `UsernameToken Username="…", PasswordDigest="…", Nonce="…", Created="…"`, the digest being base64 of the hex SHA-1 of
 * nonce, creation time and secret: Emarsys's variant (and Nango's), not the binary SHA-1 of the WS-Security profile.
 * A fresh 16-byte nonce each call: the provider refuses a nonce it saw, and a Created more than minutes old.
 * @param now the creation time. Default: the current time
 * @param nonce Default: 16 random bytes in hex; given only by tests
 */
export function wsseHeader(username: string, secret: string, now: Date = new Date(), nonce?: string): string {
  const once = nonce ?? randomBytes(16).toString('hex');
  const created = now.toISOString();
  const hex = createHash('sha1')
    .update(once + created + secret)
    .digest('hex');
  const digest = Buffer.from(hex).toString('base64');
  return `UsernameToken Username="${username}", PasswordDigest="${digest}", Nonce="${once}", Created="${created}"`;
}
