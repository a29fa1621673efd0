import { createRequire, Module } from 'node:module';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { build, type BuildFailure, type Message } from 'esbuild';
import * as actionPackage from '@nangohq/action';
import { NangoAction } from '@nangohq/action';
import { describeError } from '../describeError';
import { WorkerError } from '../errors';

/** A class an action file exports: one instance is made per run. */
export type ActionClass = new () => NangoAction<unknown, unknown>;

/** The parts of node:module's Module that loading from a string needs (public since forever, untyped). */
interface LoadableModule {
  filename: string;
  paths: string[];
  exports: Record<string, unknown>;
  require: (id: string) => unknown;
  _compile(code: string, filename: string): void;
}
const ModuleInternals = Module as unknown as {
  new (id: string): LoadableModule;
  _nodeModulePaths(from: string): string[];
};

/**
 * Compiles action files with esbuild and keeps the loaded class per file until invalidated.
 *
 * Each action is bundled (its relative imports included, packages left as `require`s) into one CommonJS
 * module. `@nangohq/action` is answered with the worker's own copy, so it resolves wherever the user's
 * integrations folder lives and `instanceof NangoAction` holds; every other package resolves from the action
 * file's folder, as it would for the user's own code. Failures are cached too, so a broken file is not
 * recompiled on every call; the watcher (or a restart) clears them.
 *
 * Load errors travel to callers, so they name files relative to `root` (the integrations folder), never by the
 * server's absolute paths.
 */
export class ActionLoader {
  private readonly cache = new Map<string, Promise<ActionClass>>();

  /** @param root the integrations folder, which error messages name files relative to. Default: the working directory. */
  constructor(root: string = process.cwd()) {
    this.root = resolve(root);
  }

  private readonly root: string;

  /**
   * The action class exported by `file`.
   * @throws WorkerError `action_load_failed`, naming the file and the cause
   */
  load(file: string): Promise<ActionClass> {
    let loading = this.cache.get(file);
    if (!loading) {
      loading = compileAndLoad(file, this.root);
      this.cache.set(file, loading);
    }
    return loading;
  }

  /** Forgets every loaded action, so the next call compiles afresh. */
  invalidateAll(): void {
    this.cache.clear();
  }
}

async function compileAndLoad(file: string, root: string): Promise<ActionClass> {
  const name = nameInRoot(file, root);
  const code = await compile(file, name, root);
  const exports = evaluate(file, name, code, root);
  return findActionClass(exports, name);
}

async function compile(file: string, name: string, root: string): Promise<string> {
  // The inline source map names its sources relative to the working directory, and Node resolves them against
  // the file's own folder: working from that folder, the two agree and stack traces show the file's real path
  // (from the repository root they showed it twice: `integrations/slack/integrations/slack/notify.action.ts`).
  const folder = dirname(file);
  try {
    const result = await build({
      absWorkingDir: folder,
      entryPoints: [file],
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'inline', // stack traces point at the .ts lines the user wrote
      write: false,
      logLevel: 'silent',
    });
    const output = result.outputFiles[0];
    if (!output) throw new Error('esbuild produced no output');
    return output.text;
  } catch (error) {
    const messages = (error as Partial<BuildFailure>).errors;
    const format = (message: Message) => formatEsbuildMessage(message, folder, root);
    const detail = messages?.length ? messages.map(format).join('; ') : withoutRoot((error as Error).message, root);
    throw new WorkerError('action_load_failed', `${name}: does not compile: ${detail}`, { cause: error });
  }
}

function evaluate(file: string, name: string, code: string, root: string): Record<string, unknown> {
  const module = new ModuleInternals(file);
  module.filename = file;
  module.paths = ModuleInternals._nodeModulePaths(dirname(file));
  const requireFromFile = createRequire(file);
  module.require = (id: string) => (id === '@nangohq/action' ? actionPackage : requireFromFile(id));
  try {
    module._compile(code, file);
  } catch (error) {
    const detail = withoutRoot(describeError(error), root);
    throw new WorkerError('action_load_failed', `${name}: threw while loading: ${detail}`, { cause: error });
  }
  return module.exports;
}

function findActionClass(exports: Record<string, unknown>, name: string): ActionClass {
  const classes = [...new Set([exports['default'], ...Object.values(exports)])].filter(
    (value): value is ActionClass => typeof value === 'function' && value.prototype instanceof NangoAction,
  );
  if (classes.length === 0) {
    throw new WorkerError(
      'action_load_failed',
      `${name}: no exported class extending NangoAction (write \`export default class MyAction extends NangoAction { ... }\`)`,
    );
  }
  if (classes.length > 1) {
    const names = classes.map((cls) => cls.name || '(anonymous)').join(', ');
    throw new WorkerError(
      'action_load_failed',
      `${name}: exports more than one class extending NangoAction (${names}); export one`,
    );
  }
  const actionClass = classes[0] as ActionClass;
  if (typeof actionClass.prototype.executeAction !== 'function') {
    throw new WorkerError('action_load_failed', `${name}: class ${actionClass.name} does not define executeAction(input)`);
  }
  return actionClass;
}

/** esbuild names files relative to `folder`, its working directory; callers see them relative to `root`. */
function formatEsbuildMessage(message: Message, folder: string, root: string): string {
  const location = message.location;
  const where = location ? `${nameInRoot(resolve(folder, location.file), root)}:${location.line}:${location.column + 1}: ` : '';
  return `${where}${message.text}`;
}

/** A file as callers see it: relative to the integrations folder, or its base name when outside it. */
function nameInRoot(file: string, root: string): string {
  const path = relative(root, file);
  return path === '' || path.startsWith('..') || isAbsolute(path) ? basename(file) : path;
}

/**
 * `text` with the integrations folder's absolute path taken out of the paths it quotes (Node's "Require stack"
 * lists the action file by it), so callers see `slack/notify.action.ts` and not where the server keeps it.
 */
function withoutRoot(text: string, root: string): string {
  const prefix = root.endsWith(sep) ? root : `${root}${sep}`;
  return text.split(prefix).join('');
}
