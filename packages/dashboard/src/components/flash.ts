/**
 * A message for the next page, after a change that leaves the current one (a deleted integration's page): kept in
 * memory, read once. Not in the URL, so a link cannot make a page claim something happened.
 */
let pending: string | null = null;

export function setFlash(message: string): void {
  pending = message;
}

/** The message left for this page, once; null when there is none. */
export function takeFlash(): string | null {
  const message = pending;
  pending = null;
  return message;
}
