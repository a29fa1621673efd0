import dns from 'node:dns';

/**
 * Replaces dns.lookup in this process: the names in `answers` resolve to the address given (no resolver is asked),
 * every other name as before. For tests of the address guard (net/addressGuard.ts), which reads dns.lookup at each
 * connection. Returns the function that puts the real lookup back.
 */
export function answerNames(answers: Readonly<Record<string, string>>): () => void {
  const real = dns.lookup;
  const fake = (host: string, options: unknown, callback?: unknown): void => {
    const answer = answers[host];
    if (answer === undefined) return (real as (...args: unknown[]) => void)(host, options, callback);
    const done = (typeof options === 'function' ? options : callback) as (...args: unknown[]) => void;
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all === true;
    const family = answer.includes(':') ? 6 : 4;
    process.nextTick(() => (all ? done(null, [{ address: answer, family }]) : done(null, answer, family)));
  };
  (dns as { lookup: unknown }).lookup = fake;
  return () => {
    dns.lookup = real;
  };
}
