import { NangoAction } from './NangoAction';
import { FunctionRuntime, type FunctionDefinition } from './functionRuntime';
import { describeSchemaError } from './schemaProblems';

/**
 * Turns the exports of a deployed function's bundle (compiled by the official `nango` CLI from `createAction`) into
 * an action class the worker runs like its own: the input is parsed with the function's zod schema (so its
 * transforms apply), `exec` gets a FunctionRuntime, and the result is checked against the output schema.
 * @param name `integration.function`, for messages
 * @throws Error when the bundle exports no action definition (the worker reports it as `action_load_failed`)
 */
export function actionFromFunction(exports: unknown, name: string): { default: new () => NangoAction<unknown, unknown> } {
  const module = exports as Record<string, unknown> | null;
  // Our own format, deployed by our CLI (`nango deploy` of packages/cli): the bundle already exports the class.
  const ownClass = ownActionClass(module);
  if (ownClass) return { default: ownClass };
  const definition = (legacyAction(module) ?? module?.default ?? module) as Partial<FunctionDefinition> | null;
  if (typeof definition?.exec !== 'function') {
    throw new Error(`${name}: the deployed bundle's default export is not a function made by createAction (no exec)`);
  }
  const { exec, input: inputSchema, output: outputSchema } = definition as FunctionDefinition;
  class DeployedFunction extends NangoAction<unknown, unknown> {
    override async executeAction(input: unknown): Promise<unknown> {
      const parsedInput = parse(inputSchema, input, `${name}: invalid input`);
      const result: unknown = await exec(new FunctionRuntime(this), parsedInput);
      return parse(outputSchema, result, `${name}: its output does not match its output schema`);
    }
  }
  return { default: DeployedFunction };
}

/**
 * Nango's older format (`nango.yaml` beside scripts whose default export is `async function runAction(nango,
 * input)`), as a bundle compiled by an older CLI holds it: the function becomes the definition's exec, with no
 * schemas (that format declared its models in nango.yaml, which the deploy body carries).
 */
function legacyAction(module: Record<string, unknown> | null): Partial<FunctionDefinition> | undefined {
  const exported = module?.['default'] ?? module;
  if (typeof exported !== 'function' || exported.prototype instanceof NangoAction) return undefined;
  return { exec: exported as FunctionDefinition['exec'] };
}

/** The one class extending NangoAction a bundle exports (default or named), if it exports exactly one. */
function ownActionClass(module: Record<string, unknown> | null): (new () => NangoAction<unknown, unknown>) | undefined {
  if (module === null || typeof module !== 'object') return undefined;
  const classes = [...new Set([module['default'], ...Object.values(module)])].filter(
    (value): value is new () => NangoAction<unknown, unknown> =>
      typeof value === 'function' && (value as { prototype?: unknown }).prototype instanceof NangoAction,
  );
  return classes.length === 1 ? classes[0] : undefined;
}

function parse(schema: FunctionDefinition['input'], value: unknown, what: string): unknown {
  if (!schema || typeof schema.safeParse !== 'function') return value;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(`${what}: ${describeSchemaError(parsed.error)}`);
  return parsed.data;
}
