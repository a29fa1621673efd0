/**
 * A starting input for an action: its schema's required fields with a blank value of their type (the first enum
 * value where there is one), as pretty JSON; `{}` when the schema requires nothing or is not an object schema.
 */
export function inputSkeleton(schema: unknown): string {
  return JSON.stringify(sampleOf(schema, 0) ?? {}, null, 2);
}

function sampleOf(schema: unknown, depth: number): unknown {
  if (!isRecord(schema) || depth > 4) return undefined;
  if (Array.isArray(schema['enum']) && schema['enum'].length > 0) return schema['enum'][0];
  if (schema['default'] !== undefined) return schema['default'];
  const type = Array.isArray(schema['type']) ? schema['type'][0] : schema['type'];
  if (type === 'string') return '';
  if (type === 'number' || type === 'integer') return 0;
  if (type === 'boolean') return false;
  if (type === 'array') return [];
  if (type === 'null') return null;
  const properties = isRecord(schema['properties']) ? schema['properties'] : {};
  const required = Array.isArray(schema['required']) ? schema['required'].filter((name) => typeof name === 'string') : [];
  const sample: Record<string, unknown> = {};
  for (const name of required) sample[name] = sampleOf(properties[name], depth + 1) ?? null;
  return sample;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
