import { CliError, request, type ClientSettings } from './ApiClient';
import type { Command } from './Command';
import { readEvents } from './eventStream';
import type { Flag, FlagValues } from './flags';
import { keyValues, table } from './table';

/** The filters of the logs routes, each a flag: flag name → query parameter. */
const FILTERS: ReadonlyArray<readonly [string, string]> = [
  ['kind', 'kind'],
  ['status', 'status'],
  ['integration', 'integration'],
  ['connection-id', 'connectionId'],
  ['end-user-id', 'endUserId'],
  ['error-code', 'errorCode'],
  ['from', 'from'],
  ['to', 'to'],
  ['search', 'q'],
];

export const LOGS_FLAGS: readonly Flag[] = [
  {
    name: 'kind',
    value: '<kinds>',
    summary: 'connect, refresh, revocation, connection, action, sync, proxy or webhook (a comma-separated list: any)',
  },
  { name: 'status', value: '<statuses>', summary: 'running, success, failed, cancelled or timed_out (a list: any)' },
  { name: 'integration', value: '<key>', summary: 'the integration (provider config key)' },
  { name: 'connection-id', value: '<id>', summary: 'the Connection id' },
  { name: 'end-user-id', value: '<id>', summary: "the Connection's end user id" },
  { name: 'error-code', value: '<code>', summary: 'the error code the operation ended with' },
  { name: 'from', value: '<time>', summary: 'started at or after: ISO 8601, epoch ms, or an age (30s, 15m, 2h, 7d)' },
  { name: 'to', value: '<time>', summary: 'started at or before (same forms)' },
  { name: 'search', value: '<words>', summary: 'words all in one message, or in the name and error (word* for a prefix)' },
  { name: 'limit', value: '<n>', summary: 'operations per page, 1 to 500 (default 50)' },
  { name: 'cursor', value: '<cursor>', summary: 'the next page, as the previous page printed it' },
  { name: 'json', summary: 'print JSON as the API answers (with --follow, one operation per line)' },
  { name: 'follow', summary: 'keep printing operations as they start and end, until Ctrl-C' },
];

/** The columns of an operation in a table, and their widths when followed (a stream is never re-padded). */
const COLUMNS: ReadonlyArray<{ key: string; title: string; width: number }> = [
  { key: 'started', title: 'started', width: 24 },
  { key: 'kind', title: 'kind', width: 10 },
  { key: 'status', title: 'status', width: 9 },
  { key: 'duration', title: 'duration', width: 9 },
  { key: 'integration', title: 'integration', width: 14 },
  { key: 'connection', title: 'connection', width: 18 },
  { key: 'name', title: 'name', width: 28 },
  { key: 'error', title: 'error', width: 24 },
  { key: 'id', title: 'id', width: 26 },
];

/** An operation as the API sends it (the fields the CLI shows). */
interface OperationWire {
  id: string;
  kind: string;
  name: string;
  integration: string | null;
  connection_id: string | null;
  status: string;
  started_at: string;
  duration_ms: number | null;
  error: { code: string; message: string } | null;
  [field: string]: unknown;
}

export const LOGS_COMMAND: Command = {
  name: 'logs',
  args: ['[operation_id]'],
  flags: LOGS_FLAGS,
  summary: 'List the operations log, newest first (filtered), follow it, or show one operation with its messages.',
  details:
    'Examples:\n  nango logs --status failed --from 2h\n  nango logs --kind proxy --integration github --json\n' +
    '  nango logs --follow --kind action,sync\n  nango logs 01JD8X3N6Q2Z8Y4W0V5T7R9P1M',
  async run(settings, [id], print, flags) {
    if (id !== undefined) return showOperation(settings, id, flags, print);
    const query = filterQuery(flags);
    if (flags['follow'] === true) {
      if (flags['limit'] !== undefined || flags['cursor'] !== undefined) {
        throw new CliError('nango logs: --follow prints operations as they come; it takes no --limit or --cursor', 2);
      }
      return follow(settings, query, flags['json'] === true, print);
    }
    if (typeof flags['limit'] === 'string') query.set('limit', flags['limit']);
    if (typeof flags['cursor'] === 'string') query.set('cursor', flags['cursor']);
    const reply = (await request(settings, 'GET', `/logs/operations${suffix(query)}`)) as {
      operations: OperationWire[];
      next_cursor: string | null;
    };
    if (flags['json'] === true) return print(JSON.stringify(reply, null, 2));
    print(table(COLUMNS, reply.operations.map(cells)));
    if (reply.next_cursor !== null) print(`\nMore: the same command with --cursor ${reply.next_cursor}`);
  },
};

/** One operation and all its messages (up to 10,000). */
async function showOperation(
  settings: ClientSettings,
  id: string,
  flags: FlagValues,
  print: (text: string) => void,
): Promise<void> {
  const others = Object.keys(flags).filter((name) => name !== 'json');
  if (others.length > 0) throw new CliError(`nango logs <operation_id> takes only --json, not --${others[0]}`, 2);
  let reply: { operation: OperationWire; messages: Record<string, unknown>[]; next_messages_cursor: string | null };
  const messages: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  do {
    const page = cursor === null ? '' : `&messagesCursor=${encodeURIComponent(cursor)}`;
    reply = (await request(
      settings,
      'GET',
      `/logs/operations/${encodeURIComponent(id)}?messagesLimit=1000${page}`,
    )) as typeof reply;
    messages.push(...reply.messages);
    cursor = reply.next_messages_cursor;
  } while (cursor !== null && messages.length < 10_000);
  if (flags['json'] === true) return print(JSON.stringify({ operation: reply.operation, messages }, null, 2));
  print(keyValues(reply.operation));
  print('');
  print(
    table(
      [
        { key: 'at', title: 'at' },
        { key: 'level', title: 'level' },
        { key: 'text', title: 'message' },
      ],
      messages,
    ),
  );
}

/** Prints each operation the tail sends, until the server ends the stream. */
async function follow(
  settings: ClientSettings,
  query: URLSearchParams,
  json: boolean,
  print: (text: string) => void,
): Promise<void> {
  // The header once the server tails: what starts from then on is printed.
  const onOpen = () => (json ? undefined : print(line(COLUMNS.map((column) => column.title))));
  await readEvents(
    settings,
    `/logs/tail${suffix(query)}`,
    (event) => {
      if (event.event === 'error') {
        const error = JSON.parse(event.data) as { message?: string };
        print(json ? event.data : `(the server could not read the log: ${error.message ?? event.data})`);
        return;
      }
      if (event.event !== 'operation') return;
      if (json) print(event.data);
      else {
        const row = cells(JSON.parse(event.data) as OperationWire);
        print(line(COLUMNS.map((column) => String(row[column.key] ?? '-'))));
      }
    },
    { onOpen },
  );
}

/** The filters given as flags, as the API's query parameters; ages (`15m`) become times. */
function filterQuery(flags: FlagValues): URLSearchParams {
  const query = new URLSearchParams();
  for (const [flag, parameter] of FILTERS) {
    const value = flags[flag];
    if (typeof value !== 'string') continue;
    query.set(parameter, flag === 'from' || flag === 'to' ? time(value) : value);
  }
  return query;
}

/** An age such as `15m` as the ISO time that long ago; anything else as given (the server checks it). */
function time(value: string): string {
  const age = /^(\d+)(s|m|h|d)$/.exec(value);
  if (!age) return value;
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[age[2] as 's' | 'm' | 'h' | 'd'];
  return new Date(Date.now() - Number(age[1]) * unit).toISOString();
}

function cells(operation: OperationWire): Record<string, unknown> {
  return {
    started: operation.started_at,
    kind: operation.kind,
    status: operation.status,
    duration: operation.duration_ms === null ? null : `${operation.duration_ms} ms`,
    integration: operation.integration,
    connection: operation.connection_id,
    name: operation.name,
    error: operation.error?.code,
    id: operation.id,
  };
}

/** One line of the followed table: each cell cut or padded to its column's width. */
function line(values: readonly string[]): string {
  return values
    .map((value, index) => {
      const width = COLUMNS[index]?.width ?? 10;
      const text = value.replace(/\s+/g, ' ');
      return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
    })
    .join('  ')
    .trimEnd();
}

function suffix(query: URLSearchParams): string {
  const text = query.toString();
  return text === '' ? '' : `?${text}`;
}
