import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  createRecording,
  recordHttp,
  runLocally,
  type LocalRunResult,
  type LoggedLine,
  type RecordedExchange,
  type Recording,
} from '@nangohq/action/testing';
import { CliError } from '../ApiClient';
import type { Command } from '../Command';
import type { FlagValues } from '../flags';
import { fetchConnection } from './fetchConnection';
import { findFunctionFile, loadFunctionClass } from './loadFunctionClass';
import { proxyHttp } from './proxyHttp';

/** Where our-format functions live when --integrations is not given, relative to the working directory. */
const DEFAULT_FOLDER = 'integrations';

/**
 * `nango dryrun <integration> <function> <connection id>`: runs one of our-format actions or syncs in this process
 * against a real Connection on a server, prints what it returns or would save, and stores nothing there.
 */
export const DRYRUN_COMMAND: Command = {
  name: 'dryrun',
  args: ['<integration>', '<function>', '<connection_id>'],
  flags: [
    { name: 'input', value: '<json|@file.json>', summary: "an action's input, as JSON or @ and a JSON file's path (default {})" },
    {
      name: 'save',
      value: '<dir>',
      summary: 'record every provider reply, secrets stripped, to <dir>/<integration>/<function>.recording.json',
    },
    { name: 'checkpoint', value: '<json>', summary: "a sync's checkpoint to start from (default: none, a first run)" },
    { name: 'last-sync-date', value: '<iso date>', summary: "a sync's lastSyncDate (default: none)" },
    {
      name: 'integrations',
      value: '<dir>',
      summary: `the folder holding <integration>/<function>.action.ts (default ./${DEFAULT_FOLDER})`,
    },
  ],
  summary: 'Run an action or sync of integrations/ locally against a Connection on the server; print its result, store nothing.',
  details:
    'The function runs in this process; it reads the Connection (fresh credentials) with the secret key and calls\n' +
    "the provider through the server's /proxy, as the worker would. A sync's batchSave, batchUpdate, batchDelete and\n" +
    'checkpoints are printed, not stored. Example:\n' +
    '  nango dryrun tracker issues user-1 --save integrations\n' +
    'A test replays a recording offline with replayRecording from @nangohq/action/testing.',
  async run(settings, [integration, name, userId], print, flags) {
    const folder = resolve(typeof flags['integrations'] === 'string' ? flags['integrations'] : DEFAULT_FOLDER);
    const { file, kind } = findFunctionFile(folder, integration as string, name as string);
    const input = kind === 'action' ? (jsonFlag(flags, 'input') ?? {}) : undefined;
    if (kind === 'sync' && flags['input'] !== undefined) {
      throw new CliError(`nango dryrun: --input is for actions; ${name} is a sync`, 2);
    }
    const checkpoint = jsonFlag(flags, 'checkpoint') ?? null;
    if (checkpoint !== null && (typeof checkpoint !== 'object' || Array.isArray(checkpoint))) {
      throw new CliError('nango dryrun: --checkpoint must be a JSON object', 2);
    }
    const lastSyncDate = dateFlag(flags);
    const functionClass = await loadFunctionClass(file);
    const connection = await fetchConnection(settings, integration as string, userId as string);
    const exchanges: RecordedExchange[] = [];
    const http = recordHttp(proxyHttp(settings, integration as string, userId as string), exchanges);
    print(`Dry run of ${kind} ${integration}/${name} for Connection '${userId}' (nothing is stored on ${settings.host})`);
    let result: LocalRunResult;
    try {
      result = await runLocally(functionClass, {
        connection,
        http,
        input,
        checkpoint: checkpoint as Record<string, unknown> | null,
        lastSyncDate,
        onLog: (line) => print(logLine(line)),
      });
    } catch (error) {
      if (error instanceof CliError) throw error;
      throw new CliError(`${integration}/${name} failed: ${(error as Error).message ?? String(error)}`);
    }
    print(describeResult(kind, result));
    const saveTo = flags['save'];
    if (typeof saveTo === 'string') {
      const recording = createRecording({
        integration: integration as string,
        function: name as string,
        kind,
        connection,
        input: input ?? {},
        checkpoint: checkpoint as Record<string, unknown> | null,
        lastSyncDate,
        requests: exchanges,
        // The log lines stay out: a replay compares what the function produced, not what it said.
        result: { output: result.output, records: result.records, checkpoint: result.checkpoint },
        ...(settings.secretKey !== undefined && { extraSecrets: [settings.secretKey] }),
      });
      const path = writeRecording(resolve(saveTo), recording);
      print(`Recorded ${exchanges.length} provider call(s) to ${path} (secrets stripped)`);
    }
  },
};

/** Writes `<dir>/<integration>/<function>.recording.json` (folders made as needed) and returns its path. */
function writeRecording(dir: string, recording: Recording): string {
  const target = join(dir, recording.integration);
  mkdirSync(target, { recursive: true });
  const path = join(target, `${recording.function}.recording.json`);
  writeFileSync(path, `${JSON.stringify(recording, null, 2)}\n`);
  return path;
}

function describeResult(kind: 'action' | 'sync', result: LocalRunResult): string {
  if (kind === 'action') return `Output:\n${JSON.stringify(result.output ?? null, null, 2)}`;
  const models = Object.entries(result.records);
  const counts = models.map(
    ([model, changes]) =>
      `${model}: ${changes.saved.length} saved, ${changes.updated.length} updated, ${changes.deleted.length} deleted`,
  );
  return [
    `The sync would store (nothing was stored):`,
    ...(counts.length > 0 ? counts.map((line) => `  ${line}`) : ['  no records']),
    `Records:\n${JSON.stringify(result.records, null, 2)}`,
    `Checkpoint: ${JSON.stringify(result.checkpoint)}`,
  ].join('\n');
}

function logLine(line: LoggedLine): string {
  return `[${line.level}] ${line.message}${line.fields === undefined ? '' : ` ${JSON.stringify(line.fields)}`}`;
}

/**
 * A flag's JSON value, or that of the file `@path` names.
 * @throws CliError (exit code 2) naming the flag when it is not JSON or the file cannot be read
 */
function jsonFlag(flags: FlagValues, name: string): unknown {
  const value = flags[name];
  if (typeof value !== 'string') return undefined;
  let text = value;
  if (value.startsWith('@')) {
    try {
      text = readFileSync(value.slice(1), 'utf8');
    } catch (error) {
      throw new CliError(
        `nango dryrun: --${name} ${value}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
        2,
      );
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`nango dryrun: --${name} is not JSON: ${(error as Error).message}`, 2);
  }
}

function dateFlag(flags: FlagValues): string | null {
  const value = flags['last-sync-date'];
  if (typeof value !== 'string') return null;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new CliError(`nango dryrun: --last-sync-date '${value}' is not a date`, 2);
  return date.toISOString();
}
