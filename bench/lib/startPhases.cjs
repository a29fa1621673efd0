// Preloaded (node --require) into a worker by bench/startup-phases.mjs: appends to NANGO_BENCH_PHASES_FILE when the
// worker's modules were loaded (Worker.start called) and when each start step began and ended (the broker
// connections, the HTTP API, the metrics listener), in ms since this preload ran, so that a change to one step can be
// judged by that step's wall time rather than by the whole start's, which the machine's load blurs.
const { appendFileSync } = require('node:fs');
const Module = require('node:module');

const t0 = performance.now();
const since = () => (performance.now() - t0).toFixed(0);
const log = (line) => appendFileSync(process.env.NANGO_BENCH_PHASES_FILE, `${line}\n`);
const original = Module.prototype.require;
let wrapped = false;
Module.prototype.require = function (...args) {
  const exported = original.apply(this, args);
  if (!wrapped && typeof exported?.Worker?.start === 'function' && exported.Worker.prototype.connect) {
    wrapped = true;
    const proto = exported.Worker.prototype;
    for (const step of ['connect', 'listen', 'listenMetrics']) {
      const run = proto[step];
      proto[step] = async function (...stepArgs) {
        const start = since();
        try {
          return await run.apply(this, stepArgs);
        } finally {
          log(`${step} ${start} ${since()}`);
        }
      };
    }
    const start = exported.Worker.start;
    exported.Worker.start = function (...startArgs) {
      log(`loaded ${since()} ${since()}`);
      return start.apply(this, startArgs);
    };
  }
  return exported;
};
