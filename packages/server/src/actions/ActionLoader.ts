import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import type { BuildFailure, Message } from 'esbuild';
import { WorkerError } from '../errors';
import { withoutRoot } from './withoutRoot';

/** esbuild loads when the first action compiles (actions compile on first call), not at every start. */
const esbuild = () => require('esbuild') as typeof import('esbuild');

/** An action file bundled into one CommonJS module, ready to be evaluated in a sandbox. */
export interface CompiledAction {
  /** Absolute path of the action file; stack traces and relative requires use it. */
  readonly file: string;
  /** The file as callers see it (relative to the integrations folder), for messages. */
  readonly name: string;
  /** The integrations folder: taken out of paths that messages quote (see withoutRoot). */
  readonly root: string;
  readonly code: string;
  /** Changes with every compile, so a sandbox holding an older version evaluates the new one (hot reload). */
  readonly version: number;
}

let versions = 0;

/**
 * Compiles action files with esbuild and keeps the result per file until invalidated.
 *
 * Each action is bundled (its relative imports included, packages left as `require`s) into one CommonJS
 * module, with an inline source map so stack traces point at the .ts lines the user wrote. The code is
 * evaluated in a sandbox (see evaluateAction), never in the worker itself. Failures are cached too, so a broken
 * file is not recompiled on every call; the watcher (or a restart) clears them.
 *
 * Load errors travel to callers, so they name files relative to `root` (the integrations folder), never by the
 * server's absolute paths.
 */
export class ActionLoader {
  private readonly cache = new Map<string, Promise<CompiledAction>>();
  /** Files given with provide(): not on any disk, so a reload of the integrations folder keeps them. */
  private readonly provided = new Set<string>();
  private readonly root: string;

  /** @param root the integrations folder, which error messages name files relative to. Default: the working directory. */
  constructor(root: string = process.cwd()) {
    this.root = resolve(root);
  }

  /**
   * The compiled code of `file`.
   * @throws WorkerError `action_load_failed`, naming the file and the cause
   */
  load(file: string): Promise<CompiledAction> {
    let loading = this.cache.get(file);
    if (!loading) {
      loading = compile(file, this.root);
      this.cache.set(file, loading);
    }
    return loading;
  }

  /**
   * Gives the code of a file that lives only in the store (a deployed function, see DeployedFunctions): `load(file)`
   * returns it as it is, already compiled by the official CLI. A file already given keeps its first code: its path
   * names the deployment's version, which never changes.
   */
  provide(file: string, name: string, code: string): void {
    if (this.cache.has(file)) return;
    this.cache.set(file, Promise.resolve({ file, name, root: this.root, code, version: ++versions }));
    this.provided.add(file);
  }

  /** Forgets the code given for files under `folder` (an older deployment's). */
  forgetUnder(folder: string): void {
    for (const file of this.cache.keys()) {
      if (!file.startsWith(folder)) continue;
      this.cache.delete(file);
      this.provided.delete(file);
    }
  }

  /** Forgets every compiled action file, so the next call compiles afresh; code given with provide() stays. */
  invalidateAll(): void {
    for (const file of this.cache.keys()) if (!this.provided.has(file)) this.cache.delete(file);
  }
}

async function compile(file: string, root: string): Promise<CompiledAction> {
  const name = nameInRoot(file, root);
  // The inline source map names its sources relative to the working directory, and Node resolves them against
  // the file's own folder: working from that folder, the two agree and stack traces show the file's real path
  // (from the repository root they showed it twice: `integrations/slack/integrations/slack/notify.action.ts`).
  const folder = dirname(file);
  try {
    const result = await esbuild().build({
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
    return { file, name, root, code: output.text, version: ++versions };
  } catch (error) {
    const messages = (error as Partial<BuildFailure>).errors;
    const format = (message: Message) => formatEsbuildMessage(message, folder, root);
    const detail = messages?.length ? messages.map(format).join('; ') : withoutRoot((error as Error).message, root);
    throw new WorkerError('action_load_failed', `${name}: does not compile: ${detail}`, { cause: error });
  }
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
