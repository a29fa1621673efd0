import type { Options } from 'amqplib';
import { redactUrl } from '@nangohq/protocol';

// NANGO_RABBITMQ_URL holds one broker URL or several, comma-separated: the nodes of a RabbitMQ cluster. A comma
// inside a password must be percent-encoded (%2C), as any reserved character of a URL's userinfo.

/** The URLs of a NANGO_RABBITMQ_URL value, in the order given, blanks around each dropped. */
export function splitBrokerUrls(value: string): string[] {
  return value
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url !== '');
}

/** Every URL of a list, each with its password hidden: for logs and errors. */
export function redactBrokerUrls(urls: string | readonly string[]): string {
  const list = typeof urls === 'string' ? splitBrokerUrls(urls) : urls;
  return list.map(redactUrl).join(', ');
}

/**
 * What is wrong with a NANGO_RABBITMQ_URL value, one line per bad address, naming it by its position (passwords
 * hidden); empty when every address is a usable amqp:// or amqps:// URL.
 */
export function brokerUrlProblems(name: string, value: string): string[] {
  const urls = splitBrokerUrls(value);
  if (urls.length === 0) return [`${name} must hold at least one amqp:// or amqps:// URL`];
  const problems: string[] = [];
  urls.forEach((url, index) => {
    const where = urls.length === 1 ? name : `${name}: address ${index + 1} of ${urls.length}`;
    const why = urlProblem(url);
    if (why) problems.push(`${where} (${redactUrl(url)}) ${why}`);
  });
  return problems;
}

function urlProblem(url: string): string | undefined {
  if (!/^amqps?:\/\//i.test(url)) return 'must start with amqp:// or amqps://';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a valid URL (percent-encode any @, :, / or , in the user name or password)';
  }
  if (!parsed.hostname) return 'has no host';
  try {
    decodeURIComponent(parsed.username);
    decodeURIComponent(parsed.password);
  } catch {
    return 'has a user name or password that is not valid percent-encoding';
  }
  return undefined;
}

/**
 * The connection target amqplib is given for a list of several URLs: one object that amqplib reads afresh on
 * every attempt (its recovery reconnects with the object it was first given), so `next()` moving the object to
 * the following URL makes the next attempt dial that node. With one URL, `target` is the URL string itself.
 *
 * Order, not shuffle: the first URL is tried first and a drop moves on to the next, round the list. An operator
 * lists the nearest node first, and every process of a deployment then meets on the same node, where RabbitMQ
 * places the leaders of the quorum queues they declare (queue_leader_locator client-local): no hop between
 * nodes per message. Spreading clients over nodes is a load balancer's job, or a different order per process.
 */
export class BrokerTarget {
  readonly urls: readonly string[];
  readonly target: string | Options.Connect;
  private index = 0;

  constructor(urls: string | readonly string[]) {
    this.urls = typeof urls === 'string' ? splitBrokerUrls(urls) : [...urls];
    if (this.urls.length === 0) throw new Error('no broker URL given (NANGO_RABBITMQ_URL is empty)');
    this.target = this.urls.length === 1 ? (this.urls[0] as string) : toConnectOptions(this.urls[0] as string);
  }

  /** The URL the next attempt dials. */
  get current(): string {
    return this.urls[this.index] as string;
  }

  /** Moves on to the following URL (after the last, the first again). Does nothing with one URL. */
  next(): void {
    if (this.urls.length === 1 || typeof this.target === 'string') return;
    this.index = (this.index + 1) % this.urls.length;
    const fresh = toConnectOptions(this.current);
    for (const key of Object.keys(this.target) as Array<keyof Options.Connect>) delete this.target[key];
    Object.assign(this.target, fresh);
  }
}

/**
 * A URL as amqplib's object form: the same fields amqplib takes from a URL string (host, port, user and password
 * percent-decoded, vhost from the path, and the query's heartbeat, frameMax, channelMax and locale).
 */
export function toConnectOptions(url: string): Options.Connect {
  const parsed = new URL(url);
  const protocol = parsed.protocol.replace(/:$/, '').toLowerCase();
  const options: Options.Connect = {
    protocol,
    hostname: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: Number(parsed.port) || (protocol === 'amqps' ? 5671 : 5672),
  };
  // amqplib's string form logs in as guest/guest when the URL names no user; the object form does the same
  // only when both fields are absent.
  if (parsed.username !== '' || parsed.password !== '') {
    options.username = decodeURIComponent(parsed.username);
    options.password = decodeURIComponent(parsed.password);
  }
  // The object form percent-decodes the vhost itself.
  if (parsed.pathname.length > 1) options.vhost = parsed.pathname.slice(1);
  for (const key of ['heartbeat', 'frameMax', 'channelMax'] as const) {
    const value = parsed.searchParams.get(key);
    if (value !== null) options[key] = parseInt(value, 10);
  }
  const locale = parsed.searchParams.get('locale');
  if (locale !== null) options.locale = locale;
  return options;
}
