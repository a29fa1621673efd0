import { CredentialCipher } from '../../src/encryption/CredentialCipher';
import { loadKeyring } from '../../src/encryption/Keyring';

/** A cipher with a fresh random key, for stores that live only as long as a test. */
export function testCipher(): CredentialCipher {
  return new CredentialCipher(loadKeyring({}, ':memory:'));
}
