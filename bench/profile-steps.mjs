#!/usr/bin/env node
// Shares of a worker's busy main thread by step of a call, from a CPU profile (a .cpuprofile that `npm run bench --
// --profile` or `BENCH_PROFILE_DIR=dir node bench/cpu-split.mjs` writes). Each sample goes to the innermost frame that
// belongs to a step (socket writes, the Connection's read, the log line, amqplib, …), the rest to "other". V8's
// profiler samples wall time: a thread taken off its core inside `postMessage` (the woken sandbox runs on it) shows as
// time in postMessage, so that native frame counts as idle here, as do idle samples. Multiply a share by the main
// thread's CPU per call (bench/cpu-split.mjs) for µs per call.
//   node bench/profile-steps.mjs <file.cpuprofile> [--other]   (--other lists what fell in no step)
import { readFileSync } from 'node:fs';

const [file, flag] = process.argv.slice(2);
if (!file || file === '--help') {
  console.log('node bench/profile-steps.mjs <file.cpuprofile> [--other]');
  process.exit(file ? 0 : 2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

const at = (pattern) => (frame) => pattern.test(frame.url);
const named =
  (...names) =>
  (frame) =>
    !frame.url && names.includes(frame.functionName);
/** Steps in the order they are tried for each frame, innermost frame first. */
const STEPS = [
  ['socket writes', named('writeBuffer', 'writeString', 'writev', 'writeLatin1String', 'writeUtf8String')],
  ['sandbox hand-off (Sandbox, its pool and held Connections)', at(/actions\/(Sandbox|SandboxPool|HeldConnections)\.js/)],
  ['Connection read: the SQL statement', (f) => /sqlite\/SqliteRunner\.js|pg\/|node_modules\/pg/.test(f.url)],
  ['Connection read: decryption', at(/encryption\/CredentialCipher\.js/)],
  ['Connection read: the rest', at(/store\/sql\/SqlConnectionStore\.js|store\/connectionRows\.js|store\/storedConfig\.js/)],
  [
    'log lines (pino)',
    (f) => /node_modules\/(pino|sonic-boom)/.test(f.url) || (/ActionRunner\.js/.test(f.url) && f.functionName === 'log'),
  ],
  ['operations log', at(/operationLog\/|OperationWriterThread|OperationStore|operationRows/)],
  ['amqplib: frames in and out', at(/node_modules\/amqplib/)],
  ['the request: parse, validate, dispatch, answered map', at(/server\/dist\/rpc\/|EncodedJson|parseJsonObject/)],
  [
    'the run: triggerAction, runner, slots, refresh check',
    at(/server\/dist\/(operations|refresh)\/|ActionRunner\.js|Semaphore\.js/),
  ],
  ['tracing and metrics', at(/server\/dist\/(tracing|metrics)\//)],
  ['garbage collection', named('(garbage collector)')],
];

const totals = new Map(STEPS.map(([name]) => [name, 0]));
const others = new Map();
let busy = 0;
profile.samples.forEach((id, index) => {
  const time = profile.timeDeltas[index] ?? 0;
  const { callFrame } = nodes.get(id);
  if (callFrame.functionName === '(idle)' || (callFrame.functionName === 'postMessage' && !callFrame.url)) return;
  busy += time;
  for (let cur = id; cur !== undefined; cur = parentOf.get(cur)) {
    const step = STEPS.find(([, matches]) => matches(nodes.get(cur).callFrame));
    if (step) return totals.set(step[0], totals.get(step[0]) + time);
  }
  const key = `${callFrame.functionName || '(anonymous)'} ${callFrame.url.split('/').slice(-2).join('/')}`;
  others.set(key, (others.get(key) ?? 0) + time);
});
const share = (time) => `${((100 * time) / busy).toFixed(1).padStart(5)}%`;
console.log(`busy: ${(busy / 1e6).toFixed(1)} s of samples`);
for (const [name, time] of totals) console.log(`${share(time)}  ${name}`);
const other = [...others.values()].reduce((sum, time) => sum + time, 0);
console.log(`${share(other)}  other (V8's own work, Node's streams and timers, …)`);
if (flag === '--other')
  for (const [key, time] of [...others].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`   ${share(time)} ${key}`);
