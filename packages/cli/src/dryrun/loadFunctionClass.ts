import { existsSync, readdirSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { dirname, join, relative } from 'node:path';
import * as actionPackage from '@nangohq/action';
import { NangoAction } from '@nangohq/action';
import type { FunctionClass } from '@nangohq/action/testing';
import { CliError } from '../ApiClient';

/** esbuild loads only for the commands that compile. */
const esbuild = () => require('esbuild') as typeof import('esbuild');

/** The parts of node:module's Module that loading from a string needs (public since forever, untyped). */
interface LoadableModule {
  filename: string;
  paths: string[];
  exports: Record<string, unknown>;
  require: (id: string) => unknown;
  _compile(code: string, filename: string): void;
}
const ModuleInternals = Module as unknown as { new (id: string): LoadableModule; _nodeModulePaths(from: string): string[] };

/**
 * The file of one of our-format functions: `<folder>/<integration>/<name>.action.ts` or `.sync.ts`.
 * @throws CliError (exit code 2) naming what was looked for and the functions the integration's folder has
 */
export function findFunctionFile(folder: string, integration: string, name: string): { file: string; kind: 'action' | 'sync' } {
  const integrationFolder = join(folder, integration);
  for (const kind of ['action', 'sync'] as const) {
    const file = join(integrationFolder, `${name}.${kind}.ts`);
    if (existsSync(file)) return { file, kind };
  }
  if (!existsSync(integrationFolder)) {
    throw new CliError(
      `no folder ${integrationFolder} for integration '${integration}' (give the integrations folder with --integrations)`,
      2,
    );
  }
  const known = readdirSync(integrationFolder)
    .filter((entry) => /\.(action|sync)\.ts$/.test(entry))
    .map((entry) => entry.replace(/\.ts$/, ''));
  throw new CliError(
    `no ${name}.action.ts or ${name}.sync.ts in ${integrationFolder} (it has: ${known.join(', ') || 'no function'})`,
    2,
  );
}

/**
 * Compiles a function file with esbuild as the worker compiles one: its relative imports bundled, packages left as
 * requires, one CommonJS module with an inline source map.
 * @throws CliError naming the file and each compile error with its line and column
 */
export async function compileFunctionFile(file: string): Promise<string> {
  const name = shownPath(file);
  try {
    const result = await esbuild().build({
      absWorkingDir: dirname(file),
      entryPoints: [file],
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'inline',
      write: false,
      logLevel: 'silent',
    });
    return result.outputFiles[0]?.text ?? '';
  } catch (error) {
    const messages = (error as { errors?: { text: string; location?: { line: number; column: number } | null }[] }).errors;
    const detail = messages?.length
      ? messages.map((m) => `${m.location ? `${m.location.line}:${m.location.column + 1}: ` : ''}${m.text}`).join('; ')
      : (error as Error).message;
    throw new CliError(`${name}: does not compile: ${detail}`);
  }
}

/**
 * Compiles a function file (see compileFunctionFile) and evaluates it (see evaluateFunction).
 * @throws CliError naming the file: it does not compile, throws while loading, or exports no NangoAction class
 */
export async function loadFunctionClass(file: string): Promise<FunctionClass> {
  return evaluateFunction(file, await compileFunctionFile(file));
}

/**
 * Evaluates a compiled function file in this process, `@nangohq/action` answered with this CLI's own copy so the
 * class the file exports is one the local runner knows.
 * @throws CliError naming the file: it throws while loading, or exports no class (or several) extending NangoAction
 */
export function evaluateFunction(file: string, code: string): FunctionClass {
  const name = shownPath(file);
  const module = new ModuleInternals(file);
  module.filename = file;
  module.paths = ModuleInternals._nodeModulePaths(dirname(file));
  const requireFromFile = createRequire(file);
  module.require = (id: string) => (id === '@nangohq/action' ? actionPackage : requireFromFile(id));
  try {
    module._compile(code, file);
  } catch (error) {
    throw new CliError(`${name}: threw while loading: ${(error as Error).message}`);
  }
  const classes = [...new Set([module.exports['default'], ...Object.values(module.exports)])].filter(
    (value): value is FunctionClass => typeof value === 'function' && value.prototype instanceof NangoAction,
  );
  if (classes.length !== 1) {
    throw new CliError(
      classes.length === 0
        ? `${name}: no exported class extending NangoAction or NangoSync`
        : `${name}: exports ${classes.length} classes extending NangoAction; export one`,
    );
  }
  return classes[0] as FunctionClass;
}

/** A file as messages name it: relative to the working directory when inside it, else its absolute path. */
function shownPath(file: string): string {
  const path = relative(process.cwd(), file);
  return path === '' || path.startsWith('..') ? file : path;
}
