import { createRequire, Module } from 'node:module';
import { dirname } from 'node:path';
import * as actionPackage from '@nangohq/action';
import { NangoAction } from '@nangohq/action';
import { describeError } from '../describeError';
import { withoutRoot } from './withoutRoot';
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
 * Evaluates an action file compiled by ActionLoader and returns the one class it exports that extends NangoAction.
 * Runs inside the sandbox: `@nangohq/action` is answered with the sandbox's own copy, so `instanceof NangoAction`
 * holds; every other package resolves from the action file's folder, as it would for the user's own code.
 * @param name the file as callers see it, for messages
 * @param root the integrations folder, taken out of the paths an error quotes (Node's require stack)
 * @throws WorkerError `action_load_failed`, naming the file and the cause
 */
export function evaluateAction(file: string, name: string, code: string, root: string): ActionClass {
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
  return findActionClass(module.exports, name);
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
