import { resolveWorkerSettings, storeTarget } from '../settings';
import { openStore } from '../store/openStore';
import type { DeliveryState } from '../store/WebhookStore';
import { deliveryListing, type DeliveryListing } from '../webhooks/deliveryListing';

export const WEBHOOKS_HELP = `nango-server webhooks: the webhook delivery log of the store NANGO_DB_PATH / NANGO_DATABASE_URL name.

  nango-server webhooks list [--state pending|delivered|failed] [--limit <n>] [--json]
      the latest deliveries (default 50), newest first: id, state, attempts, last status, type, URL, last error
  nango-server webhooks replay <id>
      makes a delivered or failed delivery pending again (same body and URL, attempts reset);
      a running nango-server sends it within a second, or the next one to start`;

const STATES: readonly string[] = ['pending', 'delivered', 'failed'];

/**
 * `nango-server webhooks list|replay`: reads or changes the outbox directly in the store, so it works whether a
 * server runs or not.
 * @returns the process exit code (2 for bad arguments)
 */
export async function runWebhooksCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  err: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || argv.includes('--help') || argv.includes('-h')) {
    out(WEBHOOKS_HELP);
    return command === undefined ? 2 : 0;
  }
  const parsed = command === 'list' ? parseList(rest) : command === 'replay' ? parseReplay(rest) : `unknown command ${command}`;
  if (typeof parsed === 'string') {
    err(`nango-server webhooks: ${parsed}; see nango-server webhooks --help`);
    return 2;
  }
  const { store } = await openStore(env, storeTarget(resolveWorkerSettings(env)));
  try {
    if (parsed.kind === 'list') {
      const deliveries = (await store.webhooks.list(parsed.filter)).map(deliveryListing);
      if (parsed.json) out(JSON.stringify({ deliveries }));
      else if (deliveries.length === 0) out('No webhook deliveries.');
      else for (const line of table(deliveries)) out(line);
      return 0;
    }
    const delivery = await store.webhooks.replay(parsed.id);
    if (!delivery) {
      err(`nango-server webhooks: no delivery '${parsed.id}'`);
      return 1;
    }
    out(`Delivery ${delivery.id} (${delivery.type} to ${delivery.url}) is pending again: a running nango-server sends it.`);
    return 0;
  } finally {
    await store.close();
  }
}

type Parsed = { kind: 'list'; filter: { state?: DeliveryState; limit: number }; json: boolean } | { kind: 'replay'; id: string };

function parseList(args: readonly string[]): Parsed | string {
  const filter: { state?: DeliveryState; limit: number } = { limit: 50 };
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = args[i + 1];
    if (arg === '--json') json = true;
    else if (arg === '--state') {
      if (value === undefined || !STATES.includes(value)) return '--state takes pending, delivered or failed';
      filter.state = value as DeliveryState;
      i++;
    } else if (arg === '--limit') {
      const limit = Number(value);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return '--limit takes a number from 1 to 1000';
      filter.limit = limit;
      i++;
    } else return `unknown argument ${arg ?? ''}`;
  }
  return { kind: 'list', filter, json };
}

function parseReplay(args: readonly string[]): Parsed | string {
  if (args.length !== 1 || args[0] === undefined || args[0].startsWith('-')) return 'replay takes one delivery id';
  return { kind: 'replay', id: args[0] };
}

/** Aligned columns, one delivery per line, a header first. */
function table(deliveries: readonly DeliveryListing[]): string[] {
  const rows = deliveries.map((d) => [
    d.id,
    d.state,
    String(d.attempts),
    d.last_status === null ? '-' : String(d.last_status),
    d.type,
    d.updated_at,
    d.url,
    d.last_error ?? '',
  ]);
  const header = ['ID', 'STATE', 'ATTEMPTS', 'STATUS', 'TYPE', 'UPDATED', 'URL', 'LAST ERROR'];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
