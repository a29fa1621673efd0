#!/usr/bin/env node
// Where one POST /action/trigger spends its time, step by step, at one call in flight: copies a build of the server
// (and @nangohq/node-client) to a temporary folder, adds process.hrtime stamps at the steps (the first onRequest hook,
// after CORS, after the rate limit, after the secret-key check, preParsing, preValidation, the route handler, the
// client's publish, the worker's delivery, the worker's reply, the client's reply, the handler's send, onSend, the
// response's 'finish'), runs the no-op action of bench/integrations.yaml on it, and prints each step's median in µs.
// Several builds (dist folders inside packages/server: main's copied to packages/server/dist-main, say) run in turn, `rounds` times, so whatever else the machine does hits all alike. The stamps are
// inserted by text: a build whose code moved fails here, naming the line it did not find.
//   node bench/http-steps.mjs <dist folder> [<dist folder> ...] [--rounds=2] [--calls=3000]
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Nango } from '@nangohq/node-client';
import server from '@nangohq/server';
import { benchStore } from './lib/benchStore.mjs';
import { runLoad } from './lib/load.mjs';
import { deleteQueues, RABBITMQ_URL, ROOT, startWorker } from './lib/processes.mjs';
import { noopTrigger } from './lib/httpTrigger.mjs';

const flags = Object.fromEntries(process.argv.filter((arg) => arg.startsWith('--')).map((arg) => arg.slice(2).split('=')));
const builds = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
if (builds.length === 0) {
  console.error('usage: node bench/http-steps.mjs <dist folder> [<dist folder> ...] [--rounds=2] [--calls=3000]');
  process.exit(2);
}
const rounds = Number(flags.rounds ?? '2');
const calls = Number(flags.calls ?? '3000');
const SECRET_KEY = 'bench-secret-key';
const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
const work = mkdtempSync(join(tmpdir(), 'nango-http-steps-'));
const stampFile = join(work, 'stamp.cjs');
const outFile = join(work, 'steps.json');

// The stamps: each request's marks in order; at 'finish', the time between consecutive marks is kept per step.
writeFileSync(
  stampFile,
  `const { writeFileSync } = require('node:fs');
let marks = [];
const steps = {};
exports.s = (name) => {
  const now = process.hrtime.bigint();
  if (name === 'onRequest') marks = [];
  marks.push([name, now]);
  if (name !== 'finish' || marks[0][0] !== 'onRequest') return;
  for (let i = 1; i < marks.length; i++) (steps[marks[i - 1][0] + ' → ' + marks[i][0]] ??= []).push(Number(marks[i][1] - marks[i - 1][1]) / 1000);
  (steps['onRequest → finish'] ??= []).push(Number(now - marks[0][1]) / 1000);
};
process.on('SIGTERM', () => writeFileSync(${JSON.stringify(outFile)}, JSON.stringify(steps)));
`,
);
const S = `(globalThis.__steps ??= require(${JSON.stringify(stampFile)}))`;
const hook = (name) => `app.addHook('onRequest', (request, reply, done) => { ${S}.s('${name}'); done(); });`;
const anyHook = (name) =>
  `app.addHook('${name}', (request, reply, ...rest) => { ${S}.s('${name}'); return rest.at(-1)(null, rest[0]); });`;
/** [file, line to find, text to add, before the line (else after)] */
const stamps = [
  [
    'tracing/traceHttpRequests.js',
    "app.addHook('onRequest', (request, reply, done) => {",
    `${S}.s('onRequest'); reply.raw.once('finish', () => ${S}.s('finish'));`,
  ],
  ['api/buildApi.js', 'crossCutting_1.registerCors)(app, context);', hook('cors')],
  ['api/buildApi.js', 'crossCutting_1.registerRateLimit)(app, context);', hook('rate limit')],
  ['api/buildApi.js', 'app.setErrorHandler((error, request, reply) => {', hook('secret key'), true],
  [
    'api/buildApi.js',
    '(0, routes_1.registerRoutes)(app, context);',
    ['preParsing', 'preValidation', 'onSend'].map(anyHook).join(' '),
    true,
  ],
  [
    'api/routes/action/postActionTrigger.js',
    "app.post('/action/trigger', { schema }, async (request, reply) => {",
    `${S}.s('handler');`,
  ],
  ['api/routes/action/postActionTrigger.js', "return reply.type('application/json; charset=utf-8')", `${S}.s('send');`, true],
  [
    'node_modules/@nangohq/node-client/dist/RpcTransport.js',
    '    publish(channel, correlationId, call) {',
    `${S}.s('client publishes');`,
  ],
  ['node_modules/@nangohq/node-client/dist/RpcTransport.js', '    onReply(msg) {', `${S}.s('client has the reply');`],
  ['rpc/RequestConsumer.js', '    onDelivery(msg, fromCredentialsQueue) {', `${S}.s('worker has the request');`],
  ['rpc/ReplyPublisher.js', "channel.publish('', replyTo, reply, {", `${S}.s('worker replies');`, true],
];
const copies = [];
/** A copy of a dist folder (and of the node client it calls) with the stamps in. */
function instrumented(dist, index) {
  // Next to dist, so that the copy finds the server's dependencies and files (../providers.yaml); removed at the end.
  const copy = join(ROOT, 'packages', 'server', `.http-steps-${process.pid}-${index}`);
  copies.push(copy);
  cpSync(dist, copy, { recursive: true });
  const client = join(ROOT, 'packages', 'node-client');
  for (const part of ['package.json', 'dist', 'esm'])
    cpSync(join(client, part), join(copy, 'node_modules', '@nangohq', 'node-client', part), { recursive: true });
  for (const [file, find, add, before] of stamps) {
    const lines = readFileSync(join(copy, file), 'utf8').split('\n');
    const at = lines.findIndex((line) => line.includes(find));
    if (at === -1) throw new Error(`${dist}/${file}: no line with ${JSON.stringify(find)}`);
    lines.splice(before ? at : at + 1, 0, add);
    writeFileSync(join(copy, file), lines.join('\n'));
  }
  return join(copy, 'cli.js');
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });
const clis = builds.map((dist, index) => instrumented(resolve(dist), index));
const results = builds.map(() => []);
console.log(`load average ${loadavg()[0].toFixed(2)} at start`);
try {
  for (let round = 0; round < rounds; round++) {
    for (const [index, cli] of clis.entries()) results[index].push(await measureOnce(cli));
  }
} finally {
  agent.destroy();
  rmSync(work, { recursive: true, force: true });
  for (const copy of copies) rmSync(copy, { recursive: true, force: true });
}
for (const step of Object.keys(results[0][0])) {
  const cells = results.map((runs) => runs.map((run) => run[step]?.toFixed(0) ?? '-').join('/'));
  console.log(`${step.padEnd(46)} ${cells.map((cell) => cell.padStart(12)).join(' ')}`);
}
console.log(`load average ${loadavg()[0].toFixed(2)} at the end; each cell: the step's median per round, in µs`);

/** One run of one build: a worker, a warm-up, `calls` calls one at a time; each step's median in µs. */
async function measureOnce(cli) {
  const queue = `bench.http-steps.${randomUUID()}`;
  const store = await benchStore('sqlite');
  const port = await freePort();
  const env = {
    NANGO_QUEUE: queue,
    ...store.env,
    NANGO_INTEGRATIONS_YAML: join(ROOT, 'bench', 'integrations.yaml'),
    NANGO_INTEGRATIONS_DIR: join(ROOT, 'bench', 'integrations'),
    NANGO_SECRET_KEY: SECRET_KEY,
    NANGO_API_RATE_LIMIT: '1000000000',
    NANGO_PORT: String(port),
  };
  const worker = await startWorker(env, cli);
  const nango = new Nango({ url: RABBITMQ_URL, queue });
  try {
    await nango.connect();
    await nango.registerConnection('bench', 'u1', { api_key: 'bench-key' });
    const call = noopTrigger({ port, agent, secretKey: SECRET_KEY });
    await runLoad(call, { total: 500, inFlight: 1 });
    // The worker writes every call's stamps when it stops: the measured calls are the last `calls` of each step.
    const { p50 } = await runLoad(call, { total: calls, inFlight: 1 });
    await worker.stop();
    const steps = JSON.parse(readFileSync(outFile, 'utf8'));
    rmSync(outFile);
    const medians = Object.fromEntries(Object.entries(steps).map(([step, values]) => [step, median(values.slice(-calls))]));
    return { ...medians, 'client p50 (HTTP exchange included)': p50 * 1000 };
  } finally {
    await nango.close();
    await worker.stop();
    await deleteQueues(server.workerQueueNames(queue));
    await store.dispose();
  }
}

/** A port nothing listens on right now, for the worker's HTTP API. */
function freePort() {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}
