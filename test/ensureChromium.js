// The browser tests drive Debian's Chromium at /usr/bin/chromium, which a fresh machine does not have. When a run
// includes a browser test and Chromium is missing, this installs it (root with apt-get only; apt-get update, then
// apt-get install chromium, each time-bounded) so that `npm test` passes on its own. Where it cannot, it says why
// and exactly what to install, and leaves that in NANGO_TEST_CHROMIUM_MISSING: launchChromium()
// (packages/server/test/helpers/chromium.ts) fails the browser tests with it, and the other tests still run.
// Runs from the integration project's globalSetup only: unit tests never pay for it.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const CHROMIUM = '/usr/bin/chromium';
const APT_GET = '/usr/bin/apt-get';
/** Each step's limit: the install downloads about 100 MB from Debian's mirror. */
const UPDATE_SECONDS = 300;
const INSTALL_SECONDS = 600;
/** Another apt-get (a parallel run, the machine's own) may hold dpkg's lock for a while; wait for it, bounded. */
const LOCK_WAIT_SECONDS = 120;
const WHAT_TO_DO =
  'Install Debian\'s chromium as root ("apt-get update && apt-get install -y --no-install-recommends chromium"), ' +
  `or any Chromium at ${CHROMIUM}, then run the tests again.`;

/**
 * Makes sure /usr/bin/chromium exists when the run includes a browser test.
 * @param {import('@jest/types').Config.GlobalConfig} globalConfig
 * @param {import('@jest/types').Config.ProjectConfig} projectConfig
 */
module.exports = async function ensureChromium(globalConfig, projectConfig) {
  if (isExecutable(CHROMIUM) || !runIncludesBrowserTests(globalConfig, projectConfig.rootDir)) return;
  const problem = install();
  if (problem === undefined) return;
  process.env.NANGO_TEST_CHROMIUM_MISSING = `${problem}\n${WHAT_TO_DO}`;
  console.warn(`\nensureChromium: the browser tests will fail: ${problem}\n${WHAT_TO_DO}\n`);
};

/** Installs Chromium; undefined once it runs, otherwise why not. */
function install() {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    return `Chromium is missing at ${CHROMIUM}, and the tests can install it only when they run as root on Linux.`;
  }
  if (!isExecutable(APT_GET)) return `Chromium is missing at ${CHROMIUM}, and there is no ${APT_GET} to install it with.`;
  console.log(
    `\nensureChromium: ${CHROMIUM} is missing and this run has browser tests; installing Debian's chromium ` +
      `(apt-get update, at most ${UPDATE_SECONDS} s, then apt-get install, at most ${INSTALL_SECONDS} s)`,
  );
  const lock = ['-o', `DPkg::Lock::Timeout=${LOCK_WAIT_SECONDS}`];
  // A failed update is not the end: the package lists already on the machine may still name chromium.
  const update = run(['update', '-qq', ...lock], UPDATE_SECONDS);
  const installed = run(['install', '-y', '-qq', '--no-install-recommends', ...lock, 'chromium'], INSTALL_SECONDS);
  // Checked by the result, not the exit code: a parallel run may have installed it while this one waited.
  if (isExecutable(CHROMIUM)) {
    console.log(`ensureChromium: installed ${version()}`);
    return undefined;
  }
  return (
    `Chromium is missing at ${CHROMIUM} and installing it failed.\n` +
    [update, installed]
      .filter((step) => step.failure)
      .map((step) => step.failure)
      .join('\n')
  );
}

/** One apt-get step, bounded; `failure` says how it failed, with the end of what it printed. */
function run(args, seconds) {
  const result = spawnSync(APT_GET, args, {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: seconds * 1000,
    killSignal: 'SIGTERM',
    maxBuffer: 64 * 1024 * 1024,
    encoding: 'utf8',
  });
  const command = `apt-get ${args.join(' ')}`;
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-5).join('\n');
  if (result.error?.code === 'ETIMEDOUT') return { failure: `${command}: stopped after ${seconds} s\n${output}` };
  if (result.error) return { failure: `${command}: ${result.error.message}` };
  if (result.status !== 0) return { failure: `${command}: exit ${result.status ?? result.signal}\n${output}` };
  return {};
}

function version() {
  const result = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  return (result.stdout ?? '').trim() || CHROMIUM;
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the test files this run selects include one that launches Chromium. Jest hands globalSetup no list of
 * files, so this matches the run's path patterns against the files that call launchChromium(); where the run
 * selects files otherwise (changed or related files), it answers yes.
 */
function runIncludesBrowserTests(globalConfig, rootDir) {
  const browserTests = findFiles(path.join(rootDir, 'packages'), (file) => {
    return file.endsWith('.integration.test.ts') && fs.readFileSync(file, 'utf8').includes('launchChromium(');
  });
  if (browserTests.length === 0) return false;
  if (globalConfig.onlyChanged || globalConfig.findRelatedTests || globalConfig.changedSince || globalConfig.lastCommit) {
    return true;
  }
  // Jest 29 has one pattern string (its path arguments joined with |); later versions a list.
  const patterns = globalConfig.testPathPatterns?.patterns ?? [globalConfig.testPathPattern].filter(Boolean);
  if (patterns.length === 0) return true;
  try {
    return browserTests.some((file) => patterns.some((pattern) => new RegExp(pattern, 'i').test(file)));
  } catch {
    return true;
  }
}

/** Files under `dir` (node_modules and dist left out) that `keep` accepts. */
function findFiles(dir, keep) {
  const found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findFiles(file, keep));
    else if (keep(file)) found.push(file);
  }
  return found;
}
