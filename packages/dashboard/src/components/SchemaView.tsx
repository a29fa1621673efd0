/**
 * A JSON Schema as a person reads it: a table of its fields (nested objects and arrays of objects flattened to
 * `address.city`, `items[].id`) with type, whether required, and notes; the schema itself as pretty JSON under a
 * disclosure. A schema that describes no fields (a bare type, a `$ref`, anything else) is shown as JSON only.
 * Everything is text: names and descriptions come from the user's integrations.yaml and are never markup.
 */
export function SchemaView(props: { schema: unknown; caption: string }) {
  const rows = isRecord(props.schema) ? fieldRows(props.schema, '', 0) : [];
  const json = JSON.stringify(props.schema, null, 2) ?? 'null';
  return (
    <div class="schema">
      {rows.length > 0 ? (
        <div class="table-wrap">
          <table>
            <caption>{props.caption}</caption>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Type</th>
                <th scope="col">Required</th>
                <th scope="col">Notes</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.name}>
                  <th scope="row">
                    <code>{row.name}</code>
                  </th>
                  <td>{row.type}</td>
                  <td>{row.required ? 'required' : 'optional'}</td>
                  <td>{row.notes || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="schema-caption">{props.caption}</p>
      )}
      <details open={rows.length === 0}>
        <summary>JSON Schema</summary>
        <pre>{json}</pre>
      </details>
    </div>
  );
}

interface FieldRow {
  name: string;
  type: string;
  required: boolean;
  notes: string;
}

/** Deeper than this, the JSON below says it better than a longer table. */
const MAX_DEPTH = 4;
const MAX_ROWS = 200;

function fieldRows(schema: Record<string, unknown>, prefix: string, depth: number): FieldRow[] {
  const properties = schema['properties'];
  if (!isRecord(properties)) return [];
  const required = Array.isArray(schema['required']) ? schema['required'] : [];
  const rows: FieldRow[] = [];
  for (const [name, property] of Object.entries(properties)) {
    if (rows.length >= MAX_ROWS) break;
    const fieldSchema = isRecord(property) ? property : {};
    const path = `${prefix}${name}`;
    rows.push({ name: path, type: typeText(fieldSchema), required: required.includes(name), notes: notesOf(fieldSchema) });
    if (depth + 1 >= MAX_DEPTH) continue;
    rows.push(...fieldRows(fieldSchema, `${path}.`, depth + 1));
    const items = fieldSchema['items'];
    if (isRecord(items)) rows.push(...fieldRows(items, `${path}[].`, depth + 1));
  }
  return rows.slice(0, MAX_ROWS);
}

/** `string`, `string | null`, `array of integer`, a `$ref`'s last part, or `any`. */
export function typeText(schema: Record<string, unknown>): string {
  const type = schema['type'];
  const names = typeof type === 'string' ? [type] : Array.isArray(type) ? type.map(String) : [];
  if (names.length === 0) {
    if (typeof schema['$ref'] === 'string') return schema['$ref'].split('/').pop() ?? 'any';
    if (Array.isArray(schema['enum'])) return 'enum';
    return 'any';
  }
  return names
    .map((name) => {
      const items = schema['items'];
      return name === 'array' && isRecord(items) ? `array of ${typeText(items)}` : name;
    })
    .join(' | ');
}

function notesOf(schema: Record<string, unknown>): string {
  const notes: string[] = [];
  if (typeof schema['description'] === 'string') notes.push(schema['description']);
  if (Array.isArray(schema['enum'])) notes.push(`one of ${schema['enum'].map((value) => JSON.stringify(value)).join(', ')}`);
  if (typeof schema['format'] === 'string') notes.push(`format ${schema['format']}`);
  const range = (min: unknown, max: unknown, unit: string) => {
    if (typeof min === 'number' && typeof max === 'number') notes.push(`${min} to ${max}${unit}`);
    else if (typeof min === 'number') notes.push(`at least ${min}${unit}`);
    else if (typeof max === 'number') notes.push(`at most ${max}${unit}`);
  };
  range(schema['minLength'], schema['maxLength'], ' characters');
  range(schema['minItems'], schema['maxItems'], ' items');
  range(schema['minimum'], schema['maximum'], '');
  if (typeof schema['pattern'] === 'string') notes.push(`matches ${schema['pattern']}`);
  if (schema['default'] !== undefined) notes.push(`default ${JSON.stringify(schema['default'])}`);
  return notes.join('; ');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
