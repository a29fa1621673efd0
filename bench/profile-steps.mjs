#!/usr/bin/env node
// Shares of a worker's busy main thread by step of a triggerAction run, from a CPU profile (a .cpuprofile that
// `npm run bench -- --profile` or `BENCH_PROFILE_DIR=dir node bench/cpu-split.mjs` writes), with the action path's
// steps of bench/lib/profileSteps.mjs (socket writes, the Connection's read by part, log lines, the operations log,
// amqplib, the request, the run, tracing and metrics). V8's profiler samples wall time: a thread taken off its core
// inside `postMessage` (the woken sandbox runs on it) shows as time there, so that native frame counts as idle, as do
// idle samples. Multiply a share by the main thread's CPU per call (bench/cpu-split.mjs) for µs per call.
//   node bench/profile-steps.mjs <file.cpuprofile> [--functions]   (--functions: the top functions by self time too)
import { ACTION_STEPS, summariseProfile } from './lib/profileSteps.mjs';

const [file, flag] = process.argv.slice(2);
if (!file || file === '--help') {
  console.log('node bench/profile-steps.mjs <file.cpuprofile> [--functions]');
  process.exit(file ? 0 : 2);
}
// One "call": the shares are what is asked for; busyUsPerCall is then the busy time of the whole profile.
const summary = summariseProfile(file, 1, undefined, { steps: ACTION_STEPS, offCore: ['postMessage'] });
const share = (part) => `${(100 * part).toFixed(1).padStart(5)}%`;
console.log(`busy: ${(summary.busyUsPerCall / 1e6).toFixed(1)} s of samples`);
for (const { step, share: part } of summary.steps) console.log(`${share(part)}  ${step}`);
if (flag === '--functions')
  for (const { where, share: part } of summary.topSelf.slice(0, 20)) console.log(`   ${share(part)} ${where}`);
