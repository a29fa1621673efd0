import { NangoAction } from './NangoAction';
import { FunctionRuntime } from './functionRuntime';

/** The events an on-event function (`createOnEvent` of the official `nango` package) may declare. */
export const ON_EVENT_TYPES = ['post-connection-creation', 'pre-connection-deletion', 'validate-connection'] as const;

/** One of ON_EVENT_TYPES. */
export type OnEventType = (typeof ON_EVENT_TYPES)[number];

/** What `createOnEvent` leaves in a compiled bundle's default export: `{ type: 'onEvent', event, exec, … }`. */
interface OnEventDefinition {
  readonly type?: string;
  readonly event?: string;
  readonly exec: (nango: FunctionRuntime) => unknown;
}

/**
 * Turns the exports of a deployed on-event function's bundle (compiled by the official `nango` CLI from
 * `createOnEvent`) into an action class the worker runs like its own: `exec` gets the same FunctionRuntime as a
 * deployed action's and takes no input; what it returns is dropped (Nango's on-event functions return nothing), so
 * the run's result is always `null`. A throw fails the run with its message.
 * @param name `integration.function`, for messages
 * @throws Error when the bundle exports no on-event definition (the worker reports it as `action_load_failed`)
 */
export function onEventFromFunction(exports: unknown, name: string): { default: new () => NangoAction<unknown, null> } {
  const module = exports as { default?: unknown } | null;
  const definition = (module?.default ?? module) as Partial<OnEventDefinition> | null;
  if (typeof definition?.exec !== 'function') {
    throw new Error(`${name}: the deployed bundle's default export is not a function made by createOnEvent (no exec)`);
  }
  if (definition.type !== undefined && definition.type !== 'onEvent') {
    throw new Error(`${name}: the deployed bundle's default export is of type '${definition.type}', not an on-event function`);
  }
  const { exec } = definition as OnEventDefinition;
  class DeployedOnEvent extends NangoAction<unknown, null> {
    override async executeAction(): Promise<null> {
      await exec(new FunctionRuntime(this));
      return null;
    }
  }
  return { default: DeployedOnEvent };
}
