// Preloaded (node --require) into a worker by bench/startup-ab.mjs: on SIGUSR2 it writes how many CommonJS modules
// the process has loaded, and with NANGO_BENCH_MODULES_FILE their paths to that file, so start-up can be compared by
// what it loads as well as by the time it takes.
const { writeFileSync, writeSync } = require('node:fs');

process.on('SIGUSR2', () => {
  const paths = Object.keys(require.cache);
  if (process.env.NANGO_BENCH_MODULES_FILE) writeFileSync(process.env.NANGO_BENCH_MODULES_FILE, paths.join('\n') + '\n');
  writeSync(2, `nango-bench-modules ${paths.length}\n`);
});
