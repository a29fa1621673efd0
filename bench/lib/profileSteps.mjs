// Reads a V8 .cpuprofile (node --cpu-prof) and sums its samples by function and by "step" of the worker's work.
// Samples are taken on wall time: `(idle)` is the process waiting, not CPU, and is left out of the busy total.
import { readFileSync } from 'node:fs';

/**
 * Steps of a proxy call, tried from the innermost frame of a sample outwards: the first frame whose script URL (or
 * function name) matches names the step the sample is charged to. Node's own modules (net, streams, timers) match
 * nothing, so their time goes to the step that called them: a socket write from undici is undici's, one from
 * Fastify's reply Fastify's. A step's test is a RegExp on the frame's URL or a function of the frame.
 */
export const PROXY_STEPS = [
  ['operations log', /\/dist[^/]*\/operationLog\//],
  ['rate limits', /\/dist[^/]*\/ratelimits\//],
  ['metrics', /\/dist[^/]*\/metrics\//],
  ['tracing', /\/dist[^/]*\/tracing\/|@opentelemetry/],
  ['store and cache', /\/dist[^/]*\/store\/|\/dist[^/]*\/operations\/freshConnection|better-sqlite3|\/pg\//],
  ['auth and URL', /\/dist[^/]*\/(outbound|authModes|config|net)\//],
  ['proxy route', /\/dist[^/]*\/api\/routes\/proxy\//],
  ['API hooks (auth, limits, logs)', /\/dist[^/]*\/api\//],
  ['logger (pino)', /\/pino/],
  ['undici (request to the provider)', /\/undici\//],
  ['Fastify (routing, reply)', /\/@?fastify\/|\/find-my-way\/|\/avvio\/|light-my-request|fast-json-stringify/],
  ['node http server (caller side)', /^node:_http_|_http_server|_http_outgoing|_http_incoming|_http_common/],
];

/** A native function of Node's (no script URL) by name. */
const native =
  (...names) =>
  (frame) =>
    !frame.url && names.includes(frame.functionName);

/**
 * Steps of a triggerAction run on the worker's main thread (bench/profile-steps.mjs): socket writes apart from the
 * amqplib code that makes them, the Connection's read by part, the hand-off to the sandbox thread.
 */
export const ACTION_STEPS = [
  ['socket writes', native('writeBuffer', 'writeString', 'writev', 'writeLatin1String', 'writeUtf8String')],
  ['sandbox hand-off (Sandbox, its pool and held Connections)', /actions\/(Sandbox|SandboxPool|HeldConnections)\.js/],
  ['Connection read: the SQL statement', /sqlite\/SqliteRunner\.js|\/dist[^/]*\/store\/postgres\/|node_modules\/pg/],
  ['Connection read: decryption', /encryption\/CredentialCipher\.js/],
  ['Connection read: the rest', /store\/sql\/SqlConnectionStore\.js|store\/connectionRows\.js|store\/storedConfig\.js/],
  [
    'log lines (pino)',
    (f) => /node_modules\/(pino|sonic-boom)/.test(f.url) || (/ActionRunner\.js/.test(f.url) && f.functionName === 'log'),
  ],
  ['operations log', /operationLog\/|OperationWriterThread|OperationStore|operationRows/],
  ['amqplib: frames in and out', /node_modules\/amqplib/],
  ['the request: parse, validate, dispatch, answered map', /\/dist[^/]*\/rpc\/|EncodedJson|parseJsonObject/],
  ['the run: triggerAction, runner, slots, refresh check', /\/dist[^/]*\/(operations|refresh)\/|ActionRunner\.js|Semaphore\.js/],
  ['tracing and metrics', /\/dist[^/]*\/(tracing|metrics)\//],
];

/** The step of one frame in `steps`, or undefined when the frame names none (node internals, anonymous natives). */
function stepOf(frame, steps) {
  if (frame.functionName === '(garbage collector)') return 'garbage collector';
  if (frame.functionName === '(program)') return 'native (program)';
  for (const [step, test] of steps) if (typeof test === 'function' ? test(frame) : test.test(frame.url)) return step;
  return undefined;
}

/**
 * Busy time per step and the top functions by self time, in µs per call.
 * @param path the .cpuprofile
 * @param calls how many calls the profiled window carried (the per-call figures divide by it)
 * @param window only the samples taken within [fromUs, toUs] of CLOCK_MONOTONIC, the clock of both V8's profile and
 *   `process.hrtime` on Linux: the bench's own measured stretch, without the worker's start and warm-up
 * @param options.steps the steps to charge samples to (PROXY_STEPS by default)
 * @param options.offCore native functions whose samples count as idle: V8 samples wall time, and a thread taken off
 *   its core inside one (`postMessage` waking a sandbox that then runs on it) is not using CPU there
 */
export function summariseProfile(
  path,
  calls,
  window = { fromUs: -Infinity, toUs: Infinity },
  { steps = PROXY_STEPS, offCore = [] } = {},
) {
  const profile = JSON.parse(readFileSync(path, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const stepOfNode = new Map();
  const stepFor = (id) => {
    if (stepOfNode.has(id)) return stepOfNode.get(id);
    let step;
    for (let at = id; at !== undefined && step === undefined; at = parent.get(at)) step = stepOf(nodes.get(at).callFrame, steps);
    stepOfNode.set(id, step ?? 'other (node internals)');
    return stepOfNode.get(id);
  };
  const bySteps = new Map();
  const bySelf = new Map();
  const byInclusive = new Map();
  const nameOf = (frame) =>
    `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*node_modules\//, '').replace(/^.*\/dist[^/]*\//, 'dist/')}:${frame.lineNumber + 1}`;
  let busyUs = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i];
    if (at < window.fromUs || at > window.toUs) return;
    const frame = nodes.get(id).callFrame;
    if (frame.functionName === '(idle)' || (!frame.url && offCore.includes(frame.functionName))) return;
    const us = profile.timeDeltas[i + 1] ?? 0; // the delta after a sample is the time it stands for
    busyUs += us;
    const step = stepFor(id);
    bySteps.set(step, (bySteps.get(step) ?? 0) + us);
    const where = nameOf(frame);
    bySelf.set(where, (bySelf.get(where) ?? 0) + us);
    const onStack = new Set();
    for (let up = id; up !== undefined; up = parent.get(up)) onStack.add(nameOf(nodes.get(up).callFrame));
    for (const name of onStack) byInclusive.set(name, (byInclusive.get(name) ?? 0) + us);
  });
  const perCall = (us) => us / calls;
  const sorted = (map) => [...map].sort((x, y) => y[1] - x[1]);
  return {
    busyUsPerCall: perCall(busyUs),
    steps: sorted(bySteps).map(([step, us]) => ({ step, usPerCall: perCall(us), share: us / busyUs })),
    topSelf: sorted(bySelf)
      .slice(0, 40)
      .map(([where, us]) => ({ where, usPerCall: perCall(us), share: us / busyUs })),
    topInclusive: sorted(byInclusive)
      .slice(0, Number(process.env.PROFILE_TOP ?? 60))
      .map(([where, us]) => ({ where, usPerCall: perCall(us), share: us / busyUs })),
  };
}
