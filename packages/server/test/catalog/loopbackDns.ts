/**
 * Every host name resolved to 127.0.0.1 in this process, while the catalog walk runs: the catalog's URLs keep their
 * hosts (api.github.com, `${connectionConfig.subdomain}.zendesk.com`), so the server's host checks see them as
 * written, and the calls reach the walk's mock. Only loopback is ever answered: no request can leave the machine.
 */
import dns from 'node:dns';

type Lookup = typeof dns.lookup;

/** Installs the answer; the returned function puts the real lookup back. */
export function resolveEveryHostToLoopback(): () => void {
  const real = dns.lookup;
  const loopback = (_host: string, options: unknown, callback?: unknown): void => {
    const done = (typeof options === 'function' ? options : callback) as (...args: unknown[]) => void;
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all === true;
    process.nextTick(() => (all ? done(null, [{ address: '127.0.0.1', family: 4 }]) : done(null, '127.0.0.1', 4)));
  };
  (dns as { lookup: unknown }).lookup = loopback as unknown as Lookup;
  return () => {
    dns.lookup = real;
  };
}
