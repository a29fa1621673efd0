import { NangoAction } from './NangoAction';
import { FunctionRuntime, type FunctionSchema, type ProxyConfiguration } from './functionRuntime';
import { describeSchemaError } from './schemaProblems';

/** What `createFunction` (the official `nango/experimental`) leaves in a compiled bundle's default export. */
interface CreatedFunction {
  readonly type?: string;
  readonly exec: (nango: CreatedFunctionRuntime, trigger: InvokeTrigger) => unknown;
  readonly input?: FunctionSchema | undefined;
  readonly output?: FunctionSchema | undefined;
}

/** The trigger a `createFunction` with no external trigger (`kind: 'none'`) gets: Nango's InvokeTrigger. */
export interface InvokeTrigger {
  readonly kind: 'invoke';
  readonly input: unknown;
  readonly connection: { connectionId: string; integrationId: string };
}

/**
 * Turns the exports of a deployed `createFunction` bundle into an action class the worker runs like its own: a
 * function with no external trigger is invoked with an input on a Connection, as an action is (triggerAction, the MCP
 * tools). The input is parsed with the function's zod schema, `exec` gets a FunctionRuntime and an `invoke` trigger
 * naming the Connection, and the result is checked against the output schema.
 * @param name `integration.function`, for messages
 * @throws Error when the bundle's default export is not made by createFunction (reported as `action_load_failed`)
 */
export function invokeFromFunction(exports: unknown, name: string): { default: new () => NangoAction<unknown, unknown> } {
  const module = exports as Record<string, unknown> | null;
  const definition = (module?.default ?? module) as Partial<CreatedFunction> | null;
  if (typeof definition?.exec !== 'function' || definition.type !== 'function') {
    throw new Error(`${name}: the deployed bundle's default export is not a function made by createFunction`);
  }
  const { exec, input: inputSchema, output: outputSchema } = definition as CreatedFunction;
  class InvokedFunction extends NangoAction<unknown, unknown> {
    override async executeAction(input: unknown): Promise<unknown> {
      const parsedInput = parse(inputSchema, input, `${name}: invalid input`);
      const runtime = new CreatedFunctionRuntime(this);
      const connection = { connectionId: runtime.connectionId, integrationId: runtime.providerConfigKey };
      const result: unknown = await exec(runtime, { kind: 'invoke', input: parsedInput, connection });
      return parse(outputSchema, result, `${name}: its output does not match its output schema`);
    }
  }
  return { default: InvokedFunction };
}

/**
 * The `nango` a `createFunction` receives: the functions surface of an action, except that its requests answer the
 * response's body (the SDK types `proxy`, `get`, … as `Promise<T>`), where an action's answer the whole response.
 */
class CreatedFunctionRuntime extends FunctionRuntime {
  // @ts-expect-error -- narrower than the action runtime's ProxyResponse on purpose: a function gets the body only.
  override async proxy(config: ProxyConfiguration): Promise<unknown> {
    return (await super.proxy(config)).data;
  }
}

function parse(schema: FunctionSchema | undefined, value: unknown, what: string): unknown {
  if (!schema || typeof schema.safeParse !== 'function') return value;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(`${what}: ${describeSchemaError(parsed.error)}`);
  return parsed.data;
}
