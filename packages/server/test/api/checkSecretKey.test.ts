import { createHash } from 'node:crypto';
import { checkSecretKey } from '../../src/api/secretKey';

const request = (authorization?: string) => ({ headers: { authorization } });

describe('checkSecretKey: the key check the rate limit and the secret-key hook share', () => {
  it('accepts the key, and gives the digest the rate limit counts it by', () => {
    const check = checkSecretKey(request('Bearer sk-one'), 'sk-one');
    expect(check).toEqual({
      given: 'sk-one',
      valid: true,
      givenSha256: createHash('sha256').update('sk-one').digest('hex'),
    });
  });

  it('refuses another key, no key, a malformed header, and any key when the server has none', () => {
    expect(checkSecretKey(request('Bearer sk-two'), 'sk-one')).toMatchObject({ given: 'sk-two', valid: false });
    expect(checkSecretKey(request(), 'sk-one')).toMatchObject({ given: undefined, valid: false });
    expect(checkSecretKey(request('Bearer sk-one junk'), 'sk-one')).toMatchObject({ given: undefined, valid: false });
    expect(checkSecretKey(request('Bearer sk-one'), undefined)).toMatchObject({ given: 'sk-one', valid: false });
  });

  it('refuses a replaced key from the next request on: the kept digest follows the key', () => {
    expect(checkSecretKey(request('Bearer sk-old'), 'sk-old').valid).toBe(true);
    expect(checkSecretKey(request('Bearer sk-old'), 'sk-new').valid).toBe(false);
    expect(checkSecretKey(request('Bearer sk-new'), 'sk-new').valid).toBe(true);
  });

  it('checks a request once: a second ask answers the same check', () => {
    const one = request('Bearer sk-one');
    const first = checkSecretKey(one, 'sk-one');
    expect(checkSecretKey(one, 'sk-one')).toBe(first);
  });
});
