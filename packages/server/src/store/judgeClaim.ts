import type { CredentialCipher } from '../encryption/CredentialCipher';
import { openOutcome } from './connectionRows';
import type { Claim, IdempotencyScope, StoredOutcome } from './Store';

/** What a live row of the key means for a new call, on either store. */
export function judgeClaim(
  cipher: CredentialCipher,
  scope: IdempotencyScope,
  call: string,
  row: { state: string; outcome: string | null; call_hash: string | null; lease_until: number },
  now: number,
): Claim {
  // Rows from before calls were fingerprinted (call_hash NULL) cannot be told apart: they are taken as the same call.
  if (row.call_hash !== null && row.call_hash !== call) return { kind: 'mismatch' };
  if (row.state === 'done' && row.outcome !== null) return { kind: 'done', outcome: readOutcome(cipher, scope, row.outcome) };
  if (row.lease_until >= now) return { kind: 'running' };
  return { kind: 'abandoned' };
}

/** A kept outcome: encrypted, or JSON in clear from before outcomes were encrypted (until it expires). */
function readOutcome(cipher: CredentialCipher, scope: IdempotencyScope, text: string): StoredOutcome {
  return text.startsWith('{') ? (JSON.parse(text) as StoredOutcome) : openOutcome(cipher, scope, text);
}
