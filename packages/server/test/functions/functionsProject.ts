import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The repository root, whose node_modules hold the official CLI (`nango`, pinned) and zod. */
const ROOT = resolve(__dirname, '..', '..', '..', '..');

/** What a run of the official CLI did: its exit code, stdout and stderr together, and how long it took. */
export interface CliRun {
  code: number;
  output: string;
  ms: number;
}

/** A functions project in Nango's current format (`index.ts` importing `createAction` / `createSync` files). */
export interface FunctionsProject {
  readonly dir: string;
  /** Writes (or rewrites) a file of the project. */
  write(path: string, text: string): void;
  /**
   * Runs the official `nango deploy <env> --auto-confirm` against `hostport` with the secret key in
   * `NANGO_SECRET_KEY_<ENV>`, as CI would (no prompt, no upgrade check, no telemetry, no dependency update), plus
   * `args` (`--allow-destructive`).
   */
  deploy(hostport: string, secretKey: string, env?: string, args?: string[]): Promise<CliRun>;
  /**
   * Runs the official `nango dryrun <name> <connectionId> -e <env> --no-interactive` (plus `args`, as `--input`)
   * against `hostport`, set up as `deploy` is.
   */
  dryrun(hostport: string, secretKey: string, name: string, connectionId: string, args?: string[], env?: string): Promise<CliRun>;
  /** Runs the official `nango compile` (a dry run reads the compiled definitions before it compiles). */
  compile(): Promise<CliRun>;
  /** Runs the official `nango generate:tests`: a vitest test per function that has mocks from `dryrun --save`. */
  generateTests(): Promise<CliRun>;
  /** Runs the project's generated tests with vitest (the version the repository installs), offline: `vitest run`. */
  vitest(): Promise<CliRun>;
  remove(): void;
}

/** A new project with its package.json, tsconfig, `.nango` folder and node_modules (links into the repository's). */
export function createFunctionsProject(files: Record<string, string>): FunctionsProject {
  const dir = mkdtempSync(join(tmpdir(), 'nango-functions-'));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  // Only what the project imports, from the repository's node_modules: its type check (most of a deploy's time) then
  // reads no other package's types (a fifth faster than linking the whole folder).
  for (const name of PROJECT_PACKAGES) {
    mkdirSync(dirname(join(dir, 'node_modules', name)), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name), 'dir');
  }
  mkdirSync(join(dir, '.nango'));
  write(
    'package.json',
    JSON.stringify({
      name: 'nango-integrations',
      private: true,
      type: 'module',
      devDependencies: { nango: '0.71.10', zod: '4.3.6' },
    }),
  );
  write('tsconfig.json', JSON.stringify(TSCONFIG));
  for (const [path, text] of Object.entries(files)) write(path, text);
  return {
    dir,
    write,
    deploy: (hostport, secretKey, env = 'dev', args = []) =>
      runCli(dir, hostport, secretKey, env, ['deploy', env, '--auto-confirm', '--no-interactive', ...args]),
    dryrun: (hostport, secretKey, name, connectionId, args = [], env = 'dev') =>
      runCli(dir, hostport, secretKey, env, ['dryrun', name, connectionId, '-e', env, '--no-interactive', ...args]),
    compile: () => runCli(dir, '', '', 'dev', ['compile']),
    generateTests: () => runCli(dir, '', '', 'dev', ['generate:tests', '--auto-confirm']),
    vitest: () => {
      // Linked only for this: a deploy's type check would otherwise read vitest's types too.
      if (!existsSync(join(dir, 'node_modules', 'vitest'))) {
        symlinkSync(join(ROOT, 'node_modules', 'vitest'), join(dir, 'node_modules', 'vitest'), 'dir');
      }
      return run(dir, join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), ['run'], {
        PATH: process.env['PATH'] ?? '',
        HOME: dir,
        CI: 'true',
        NO_COLOR: '1',
      });
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Runs the official CLI in `dir` as CI would (no prompt, no upgrade check, no telemetry, no dependency update), with
 * the secret key in `NANGO_SECRET_KEY_<ENV>`.
 */
function runCli(dir: string, hostport: string, secretKey: string, env: string, args: string[]): Promise<CliRun> {
  const cli = join(ROOT, 'node_modules', 'nango', 'dist', 'index.js');
  return run(dir, cli, [...args, '--no-dependency-update', '--no-telemetry'], {
    PATH: process.env['PATH'] ?? '',
    HOME: dir,
    CI: 'true',
    NANGO_HOSTPORT: hostport,
    [`NANGO_SECRET_KEY_${env.toUpperCase()}`]: secretKey,
    NANGO_CLI_UPGRADE_MODE: 'ignore',
    NANGO_CLI_TELEMETRY: 'false',
    NANGO_CLI_DEPENDENCY_UPDATE: 'false',
  });
}

/** A deploy takes 20–30 s on an idle CI machine, past a minute when other jobs share its 2 cores. */
const CLI_TIME_LIMIT_MS = 150_000;

/** Runs a Node script in `dir` with only `env` (no variable of the test process leaks in). */
function run(dir: string, script: string, args: string[], env: Record<string, string>): Promise<CliRun> {
  const started = performance.now();
  return new Promise((done) => {
    execFile(process.execPath, [script, ...args], { cwd: dir, timeout: CLI_TIME_LIMIT_MS, env }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      done({ code, output: `${stdout}${stderr}`, ms: Math.round(performance.now() - started) });
    });
  });
}

/** The packages a functions project has installed: the CLI, zod, the CLI's SDK types and Node's. */
const PROJECT_PACKAGES = ['nango', 'zod', '@nangohq/runner-sdk', '@types/node'];

/** What `nango init` writes, trimmed to what the compile reads. */
const TSCONFIG = {
  include: ['index.ts', '**/*.ts'],
  exclude: ['node_modules', 'dist', 'build', '.nango'],
  compilerOptions: {
    module: 'node16',
    target: 'esnext',
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    moduleResolution: 'node16',
    noEmit: true,
  },
};
