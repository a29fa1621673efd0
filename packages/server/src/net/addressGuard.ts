/**
 * The address guard: what stands between a host a user typed (config/userHost.ts) and the machine's own network.
 * A request to such a host goes through `guardedDispatcher()`, an undici Agent whose connect-time lookup resolves the
 * name and refuses it when any address it resolves to is loopback, private (RFC 1918, RFC 6598 shared, IPv6 ULA),
 * unspecified, link-local or a cloud metadata address. The check is on the addresses the socket then connects to,
 * after DNS, so a name that resolves to a public address when checked and to 127.0.0.1 when used (DNS rebinding)
 * cannot pass: there is no second resolution. Hosts the operator wrote (integrations.yaml, the built-in catalog) never
 * go through it: the operator may point an integration at a local service.
 *
 * NANGO_ALLOW_PRIVATE_HOSTS (default false) lets loopback and private addresses through, for an operator whose users'
 * instances live on the same network (and for tests against local mocks). Link-local and metadata addresses stay
 * refused whatever the setting: no self-hosted instance lives there, and the cloud's credentials do.
 */
import dns from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import type { Agent } from 'undici';
import { WorkerError } from '../errors';

/** Refused always: link-local and cloud metadata. */
const LINK_LOCAL = new BlockList();
LINK_LOCAL.addSubnet('169.254.0.0', 16, 'ipv4');
LINK_LOCAL.addSubnet('fe80::', 10, 'ipv6');
LINK_LOCAL.addAddress('fd00:ec2::254', 'ipv6');

/** Refused unless NANGO_ALLOW_PRIVATE_HOSTS: loopback, private, shared, unspecified. */
const PRIVATE = new BlockList();
PRIVATE.addSubnet('0.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('100.64.0.0', 10, 'ipv4');
PRIVATE.addSubnet('127.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4');
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4');
PRIVATE.addAddress('::', 'ipv6');
PRIVATE.addAddress('::1', 'ipv6');
PRIVATE.addSubnet('fc00::', 7, 'ipv6');

/**
 * Whether an IP address (no brackets) is loopback, private, shared or unspecified: what NANGO_ALLOW_PRIVATE_HOSTS (and,
 * for MCP servers, NANGO_MCP_ALLOW_LOCAL_SERVERS) lets through.
 */
export function isPrivateAddress(ip: string, type: 'ipv4' | 'ipv6'): boolean {
  return PRIVATE.check(ip, type);
}

/**
 * Why a resolved address may not be reached from a host a user typed; undefined when it may. An IPv4-mapped IPv6
 * address (`::ffff:127.0.0.1`) is judged as its IPv4 address.
 */
export function addressProblem(address: string, allowPrivate: boolean): string | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const ip = mapped ?? address;
  const type = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  if (LINK_LOCAL.check(ip, type)) return 'a link-local or cloud metadata address';
  if (!allowPrivate && PRIVATE.check(ip, type)) {
    return 'a loopback or private address (the operator may allow these with NANGO_ALLOW_PRIVATE_HOSTS)';
  }
  return undefined;
}

/** The end of every refusal's message: how a refusal is known once another realm has copied it as a plain Error. */
const REFUSED_TAIL = '; a host a user types may not reach it';

/** The error a refused connection fails with; its message names the host, never a path or credential. */
export class AddressRefused extends WorkerError {
  constructor(host: string, why: string) {
    super('http_host_not_allowed', `${host} resolves to ${why}${REFUSED_TAIL}`);
  }
}

/** A `net.connect` lookup that resolves as dns.lookup does and refuses the answer when any address is refused. */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    // dns.lookup read at call time, so a test's replacement of it (test/catalog/loopbackDns.ts) is seen.
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as dns.LookupAddress[];
      for (const { address } of list) {
        const why = addressProblem(address, allowPrivate);
        if (why) return callback(new AddressRefused(hostname, why), '', 0);
      }
      if (options.all === true) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
      callback(null, first.address, first.family);
    });
  };
}

let allowPrivateHosts = false;
/** One dispatcher per answer to "are private addresses allowed": the MCP flow has a setting of its own. */
const agents = new Map<boolean, Agent>();

let allowLocalMcp = false;

/** Sets NANGO_ALLOW_PRIVATE_HOSTS for this process (the worker does, at start). Default: false. */
export function allowPrivateHostsForUserHosts(allow: boolean): void {
  allowPrivateHosts = allow;
}

/**
 * Sets NANGO_MCP_ALLOW_LOCAL_SERVERS for the requests that reach no request's settings (an MCP Connection's token
 * refresh); the worker does, at start. Default: false.
 */
export function allowLocalMcpServers(allow: boolean): void {
  allowLocalMcp = allow;
}

/** NANGO_MCP_ALLOW_LOCAL_SERVERS as the worker set it. */
export function localMcpServersAllowed(): boolean {
  return allowLocalMcp;
}

/**
 * The dispatcher every request to a host a user typed is sent through (fetch's `dispatcher`, undici's request).
 * @param allowPrivate whether loopback and private addresses pass; default NANGO_ALLOW_PRIVATE_HOSTS (the MCP flow
 *   passes NANGO_MCP_ALLOW_LOCAL_SERVERS)
 */
export function guardedDispatcher(allowPrivate = allowPrivateHosts): Agent {
  // undici loads with the first such request, not at every start of the server.
  const { Agent } = require('undici') as typeof import('undici');
  let agent = agents.get(allowPrivate);
  if (!agent) {
    agent = new Agent({ connect: { lookup: guardedLookup(allowPrivate) } });
    agents.set(allowPrivate, agent);
  }
  return agent;
}

/** Closes the sockets kept alive to hosts users typed (at the worker's stop); the next call opens new ones. */
export async function closeUserHostConnections(): Promise<void> {
  const old = [...agents.values()];
  agents.clear();
  await Promise.all(old.map((agent) => agent.close()));
}

/**
 * fetch's options that send one request to a host a user typed through the guard. A host written as an IP address is
 * judged here: a socket to an address is opened without a lookup, so the dispatcher never sees it.
 * @throws AddressRefused (`http_host_not_allowed`) when the URL's host is an address the guard refuses
 */
export function guardedFetchOptions(url: URL, allowPrivate = allowPrivateHosts): RequestInit {
  const address = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const why = isIP(address) === 0 ? undefined : addressProblem(address, allowPrivate);
  if (why) throw new AddressRefused(url.hostname, why);
  // Node's fetch takes undici's `dispatcher`, which lib.dom's RequestInit does not declare.
  return { dispatcher: guardedDispatcher(allowPrivate) } as unknown as RequestInit;
}

/**
 * The error undici reports for a refused connection: fetch wraps it as `TypeError('fetch failed')` with the refusal
 * down its causes. Under a test runner's sandbox the refusal arrives copied as a plain Error (`WorkerError: <message>`),
 * so it is known by its message too. Found, it is what the caller should throw; undefined otherwise.
 */
export function addressRefusal(error: unknown): WorkerError | undefined {
  // Not `instanceof Error`: fetch's TypeError may come from another realm (Node's own, under a test runner's).
  for (let cause = error, depth = 0; typeof cause === 'object' && cause !== null && depth < 5; depth++) {
    if (cause instanceof AddressRefused) return cause;
    const message = (cause as { message?: unknown }).message;
    if (typeof message === 'string' && message.endsWith(REFUSED_TAIL)) {
      return new WorkerError('http_host_not_allowed', message.replace(/^WorkerError: /, ''));
    }
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}
