/**
 * `npm run faults:cluster -- [options]`: the cluster fault harness from the command line. Prints a table of what
 * each fault did and can write the figures as JSON. Exits 1 when a call was lost, a keyed call ran twice, a caller
 * hung, or a record or webhook was lost.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { FAULT_NAMES, FAULTS, type FaultName } from './clusterFaults';
import { figuresTable } from './faultFigures';
import { runClusterFaults } from './runClusterFaults';

const HELP = `Usage: npm run faults:cluster -- [--faults a,b,...] [--baseline-s 8] [--settle-s 10] [--issues 300] [--json file]

Starts, on this machine and all of its own, a three-node RabbitMQ cluster (quorum queues), a PostgreSQL cluster,
two API processes and three workers (the built packages/server/dist/cli.js: run \`npm run build\` first), a provider
and a webhook receiver; puts a mixed load on them and applies the faults one at a time, each undone and every
process ready again before the next. Needs RabbitMQ's scripts (as the private-broker tests) and PostgreSQL's
(initdb, pg_ctl: /usr/lib/postgresql/15/bin or NANGO_TEST_PG_BIN).

Faults (default: all, in this order):
${FAULT_NAMES.map((name) => `  ${name.padEnd(18)} ${FAULTS[name].what}`).join('\n')}

  --faults      comma-separated fault names
  --baseline-s  seconds of load before the first fault, and the span the rate before a fault is measured on
  --settle-s    seconds of load after a fault is undone, before the next
  --issues      issues the sync mirrors (its records)
  --json        write the figures and the run's context to this file
  --logs        write each process's output to <folder>/<process>.log at the end
  --calls       write every call (kind, door, start, duration, outcome) to this file, one JSON line each
`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      help: { type: 'boolean' },
      faults: { type: 'string' },
      'baseline-s': { type: 'string', default: '8' },
      'settle-s': { type: 'string', default: '10' },
      issues: { type: 'string', default: '300' },
      json: { type: 'string' },
      calls: { type: 'string' },
      logs: { type: 'string' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const faults = (values.faults?.split(',') ?? FAULT_NAMES).map((name) => name.trim());
  const unknown = faults.filter((name) => !FAULT_NAMES.includes(name as FaultName));
  if (unknown.length > 0) throw new Error(`--faults: unknown fault(s) ${unknown.join(', ')}; known: ${FAULT_NAMES.join(', ')}`);
  const number = (flag: 'baseline-s' | 'settle-s' | 'issues') => {
    const value = Number(values[flag]);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${flag}: a positive number, not ${values[flag]}`);
    return value;
  };
  const result = await runClusterFaults({
    faults: faults as FaultName[],
    baselineMs: number('baseline-s') * 1_000,
    settleMs: number('settle-s') * 1_000,
    issues: number('issues'),
    log: (line) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`),
    ...(values.logs !== undefined && { logsDir: values.logs }),
  });
  process.stdout.write(`${figuresTable(result.figures)}\n`);
  process.stdout.write(`load average at start ${result.context.loadAverage.join(' ')}, ${result.context.totalCalls} calls\n`);
  for (const row of result.figures) {
    process.stdout.write(
      `${row.fault}: ${JSON.stringify(row.outcomes)}${row.lostExamples.length ? ` lost: ${row.lostExamples.join('; ')}` : ''}\n`,
    );
  }
  const { calls, ...figures } = result;
  if (values.json) writeFileSync(values.json, `${JSON.stringify(figures, null, 2)}\n`);
  if (values.calls) writeFileSync(values.calls, calls.map((call) => `${JSON.stringify(call)}\n`).join(''));
  const bad = result.figures.filter(
    (row) => row.lost + row.keyedRunTwice + row.hung + row.webhooksLost + row.recordsLost + row.recordsDuplicated > 0,
  );
  return bad.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
