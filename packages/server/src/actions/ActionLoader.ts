import { build, type BuildFailure, type Message } from 'esbuild';
import { displayPath } from '../displayPath';
import { WorkerError } from '../errors';

/** An action file bundled into one CommonJS module, ready to be evaluated in a sandbox. */
export interface CompiledAction {
  /** Absolute path of the action file; stack traces and relative requires use it. */
  readonly file: string;
  /** The file as the user would type it, for messages. */
  readonly name: string;
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
 */
export class ActionLoader {
  private readonly cache = new Map<string, Promise<CompiledAction>>();

  /**
   * The compiled code of `file`.
   * @throws WorkerError `action_load_failed`, naming the file and the cause
   */
  load(file: string): Promise<CompiledAction> {
    let loading = this.cache.get(file);
    if (!loading) {
      loading = compile(file);
      this.cache.set(file, loading);
    }
    return loading;
  }

  /** Forgets every compiled action, so the next call compiles afresh. */
  invalidateAll(): void {
    this.cache.clear();
  }
}

async function compile(file: string): Promise<CompiledAction> {
  const name = displayPath(file);
  try {
    const result = await build({
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
    return { file, name, code: output.text, version: ++versions };
  } catch (error) {
    const messages = (error as Partial<BuildFailure>).errors;
    const detail = messages?.length ? messages.map(formatEsbuildMessage).join('; ') : (error as Error).message;
    throw new WorkerError('action_load_failed', `${name}: does not compile: ${detail}`, { cause: error });
  }
}

function formatEsbuildMessage(message: Message): string {
  const where = message.location
    ? `${displayPath(message.location.file)}:${message.location.line}:${message.location.column + 1}: `
    : '';
  return `${where}${message.text}`;
}
